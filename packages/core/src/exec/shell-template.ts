import { findExpressions } from '../expr/index.js'

export const EXPR_ENV_PREFIX = 'PIPEWRIGHT_EXPR_'

type QuoteState = 'none' | 'single' | 'double' | 'heredoc' | 'heredoc-quoted'

/**
 * Prepares a `run:` shell script: every `${{ … }}` becomes a reference to an environment
 * variable holding its value, quoted for where it stands, so a value (a branch name, a commit
 * message, a variable) is never parsed as shell code. Inside a quoted heredoc, which the shell
 * never expands, the value is pasted as text.
 */
export function templateShellScript(script: string, valueOf: (source: string) => string): { script: string; env: Record<string, string> } {
  const expressions = findExpressions(script)
  if (expressions.length === 0) return { script, env: {} }
  const env: Record<string, string> = {}
  const names = new Map<string, string>()
  const states = quoteStates(script, expressions.map((e) => e.start))
  let out = ''
  let last = 0
  expressions.forEach((e, i) => {
    const value = valueOf(e.source)
    let name = names.get(e.source)
    if (!name) {
      name = `${EXPR_ENV_PREFIX}${names.size}`
      names.set(e.source, name)
      env[name] = value
    }
    const ref = `\${${name}}`
    const state = states[i]!
    const replacement = state === 'single' ? `'"${ref}"'` : state === 'none' ? `"${ref}"` : state === 'heredoc-quoted' ? value : ref
    out += script.slice(last, e.start) + replacement
    last = e.end
  })
  return { script: out + script.slice(last), env }
}

/** The quoting state of the shell lexer at each offset (a small sh lexer: quotes, escapes, heredocs). */
function quoteStates(script: string, offsets: number[]): QuoteState[] {
  const result: QuoteState[] = []
  let next = 0
  let state: QuoteState = 'none'
  let pendingHeredoc: { word: string; quoted: boolean } | undefined
  let heredocWord = ''
  for (let i = 0; i < script.length && next < offsets.length; i++) {
    if (i === offsets[next]) {
      result.push(state)
      next++
    }
    const ch = script[i]
    if (state === 'single') {
      if (ch === "'") state = 'none'
    } else if (state === 'double') {
      if (ch === '\\') i++
      else if (ch === '"') state = 'none'
    } else if (state === 'heredoc' || state === 'heredoc-quoted') {
      if (ch === '\n') {
        const lineEnd = script.indexOf('\n', i + 1)
        const line = script.slice(i + 1, lineEnd === -1 ? script.length : lineEnd)
        if (line.replace(/^\t+/, '') === heredocWord) {
          state = 'none'
          i += line.length
        }
      }
    } else if (ch === '\\') {
      i++
    } else if (ch === "'") {
      state = 'single'
    } else if (ch === '"') {
      state = 'double'
    } else if (ch === '<' && script[i + 1] === '<' && script[i + 2] !== '<') {
      const m = /^<<-?[ \t]*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(script.slice(i))
      if (m) {
        pendingHeredoc = { word: m[2]!, quoted: m[1] !== '' }
        i += m[0].length - 1
      }
    } else if (ch === '\n' && pendingHeredoc) {
      heredocWord = pendingHeredoc.word
      state = pendingHeredoc.quoted ? 'heredoc-quoted' : 'heredoc'
      pendingHeredoc = undefined
    }
  }
  while (result.length < offsets.length) result.push(state)
  return result
}
