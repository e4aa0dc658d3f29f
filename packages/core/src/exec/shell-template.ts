import { PipewrightError } from '@pipewright/plugin-api'
import { findExpressions, type FoundExpression } from '../expr/index.js'
import { placeExpressions, type Placement, type ShellContext } from './shell-lexer.js'

export const EXPR_ENV_PREFIX = 'PIPEWRIGHT_EXPR_'

/** What stands in the script for a value: only a reference to its variable, quoted for the context. */
const REFERENCE: Record<ShellContext, (name: string) => string> = {
  unquoted: (name) => `"\${${name}}"`,
  double: (name) => `\${${name}}`,
  single: (name) => `'"\${${name}}"'`,
  heredoc: (name) => `\${${name}}`,
  comment: (name) => `\${${name}}`,
}

const FIX =
  'Pipewright passes every ${{ }} value to a shell script as an environment variable, never as text. ' +
  "In a here-document, quote nothing in the delimiter (<<EOF, not <<'EOF') and escape the $, ` and \\ that must stay literal; " +
  'elsewhere, write the expression without a backslash in front, and keep it out of here-document delimiters.'

/** A `${{ }}` of a shell script that cannot be given a value, with its 1-based line and column in the script. */
export interface ShellTemplateProblem {
  source: string
  line: number
  column: number
  /** Offset of `${{` in the script. */
  offset: number
  message: string
  details: string
}

function positionOf(script: string, offset: number): { line: number; column: number } {
  const before = script.slice(0, offset)
  const lineStart = before.lastIndexOf('\n') + 1
  return { line: before.split('\n').length, column: offset - lineStart + 1 }
}

function problemOf(script: string, e: FoundExpression, reason: string): ShellTemplateProblem {
  const { line, column } = positionOf(script, e.start)
  return { source: e.source, line, column, offset: e.start, message: `\${{ ${e.source} }} at line ${line}, column ${column} of the script ${reason}`, details: FIX }
}

function place(script: string, expressions: FoundExpression[]): { placements: Map<number, Placement>; problems: ShellTemplateProblem[] } {
  const placements = placeExpressions(script, expressions)
  const problems: ShellTemplateProblem[] = []
  for (const e of expressions) {
    const p = placements.get(e.start)
    if (p && 'refused' in p) problems.push(problemOf(script, e, p.refused))
  }
  return { placements, problems }
}

/** The `${{ }}` of a `run:` script that no value can reach (validation reports them before a run). */
export function shellTemplateProblems(script: string): ShellTemplateProblem[] {
  const expressions = findExpressions(script)
  return expressions.length === 0 ? [] : place(script, expressions).problems
}

/**
 * Prepares a `run:` shell script: every `${{ … }}` becomes a reference to an environment variable
 * holding its value (`"${PIPEWRIGHT_EXPR_0}"`), quoted for where it stands so that it arrives as
 * one unchanged word. A value is never script text, so no value can be parsed as shell code.
 * Throws `PW_ERR_EXPRESSION` for an expression no reference can reach (in a quoted here-document,
 * after a backslash, in a here-document delimiter).
 */
export function templateShellScript(script: string, valueOf: (source: string) => string): { script: string; env: Record<string, string> } {
  const expressions = findExpressions(script)
  if (expressions.length === 0) return { script, env: {} }
  const { placements, problems } = place(script, expressions)
  const first = problems[0]
  if (first) throw new PipewrightError('PW_ERR_EXPRESSION', first.message, { details: first.details })
  const env: Record<string, string> = {}
  const names = new Map<string, string>()
  let out = ''
  let last = 0
  for (const e of expressions) {
    let name = names.get(e.source)
    if (!name) {
      name = `${EXPR_ENV_PREFIX}${names.size}`
      names.set(e.source, name)
      env[name] = valueOf(e.source)
    }
    // Every expression is placed; were one missed, any of the quotings is still only a reference.
    const placement = (placements.get(e.start) ?? { context: 'unquoted' }) as { context: ShellContext }
    out += script.slice(last, e.start) + REFERENCE[placement.context](name)
    last = e.end
  }
  return { script: out + script.slice(last), env }
}
