import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { templateShellScript } from './shell-template.js'

// Random scripts (every quoting context a value can stand in, plus comments and here-documents
// meant to mislead a lexer) × hostile values, run by the real sh: no value may ever run, and each
// must arrive byte for byte where the script prints it.

const dir = mkdtempSync(join(tmpdir(), 'pw-fuzz-'))
const MARK = join(dir, 'pwned')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const PIECES = [
  "'", '"', `$(touch ${MARK})`, `\`touch ${MARK}\``, '\n', 'EOF', `\nEOF\ntouch ${MARK}\n`, '#', '\\', ' ', '*', '$HOME', '%s', '\t',
  '}', '{', ')', 'A', "<<'EOF'", `"; touch ${MARK}; echo "`, `'; touch ${MARK}; echo '`, 'é€', '${PIPEWRIGHT_EXPR_0}', '-n', '\\n', '}}',
]
/** Expression sources: only keys of the value table here, written to trip a lexer that reads them. */
const SOURCES = ['vars.a', "format('it''s {0}', vars.b)", 'vars["x#y"]', "toJSON('<<EOF')", "vars.c || '\"'"]

type Fragment = { text: (e: string) => string; out: (v: string) => string }
const trimNewlines = (v: string) => v.replace(/\n+$/, '')

const FRAGMENTS: Fragment[] = [
  { text: (e) => `printf '[%s]\\n' ${e}`, out: (v) => `[${v}]\n` },
  { text: (e) => `printf '[%s]\\n' "a ${e} b"`, out: (v) => `[a ${v} b]\n` },
  { text: (e) => `printf '[%s]\\n' 'a ${e} b'`, out: (v) => `[a ${v} b]\n` },
  { text: (e) => `cat <<EOF\n[${e}] $HOME\nEOF`, out: (v) => `[${v}] /home/x\n` },
  { text: (e) => `cat <<-EOF\n\t<${e}>\n\tEOF`, out: (v) => `<${v}>\n` },
  { text: (e) => `printf '[%s]\\n' "$(printf '%s' "${e}")"`, out: (v) => `[${trimNewlines(v)}]\n` },
  { text: (e) => `x=\`printf '%s' "${e}"\`; printf '[%s]\\n' "$x"`, out: (v) => `[${trimNewlines(v)}]\n` },
  { text: (e) => `printf '[%s]\\n' \${UNSET_PW:-${e}} "\${UNSET_PW:-${e}}"`, out: (v) => `[${v}]\n[${v}]\n` },
  { text: (e) => `y=${e}; printf '[%s]\\n' "$y"`, out: (v) => `[${v}]\n` },
  { text: (e) => `( printf '[%s]\\n' \\\n ${e} )`, out: (v) => `[${v}]\n` },
  { text: (e) => `# don't <<'EOF' "${e}`, out: () => '' },
  { text: (e) => `cat <<'Q'; printf '[%s]\\n' ${e}\nit's "$(touch ${MARK})" # \`x\`\nQ`, out: (v) => `it's "$(touch ${MARK})" # \`x\`\n[${v}]\n` },
  { text: () => `printf '%s\\n' "it's" 'say "hi"' # it's <<EOF`, out: () => `it's\nsay "hi"\n` },
]

/** A seeded generator, so a failure can be replayed from the seed in its message. */
function random(seed: number): (n: number) => number {
  let s = seed >>> 0
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

function hostileValue(pick: (n: number) => number): string {
  return Array.from({ length: 1 + pick(6) }, () => PIECES[pick(PIECES.length)]!).join('')
}

function caseFor(seed: number): { script: string; values: Record<string, string>; expected: string } {
  const pick = random(seed)
  const values = Object.fromEntries(SOURCES.map((s) => [s, hostileValue(pick)]))
  const parts = Array.from({ length: 2 + pick(5) }, () => {
    const fragment = FRAGMENTS[pick(FRAGMENTS.length)]!
    const source = SOURCES[pick(SOURCES.length)]!
    return { text: fragment.text(`\${{ ${source} }}`), out: fragment.out(values[source]!) }
  })
  return { script: parts.map((p) => p.text).join('\n'), values, expected: parts.map((p) => p.out).join('') }
}

describe('templateShellScript under fuzzing', () => {
  it('never runs a value and delivers every value unchanged (400 random scripts)', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { script, values, expected } = caseFor(seed)
      const t = templateShellScript(script, (source) => values[source]!)
      const r = spawnSync('sh', ['-c', t.script], { cwd: dir, env: { PATH: process.env.PATH, HOME: '/home/x', ...t.env }, encoding: 'utf8' })
      const context = `seed ${seed}\n--- script ---\n${script}\n--- values ---\n${JSON.stringify(values, null, 1)}\n--- stderr ---\n${r.stderr}`
      expect(existsSync(MARK), context).toBe(false)
      expect(r.stdout, context).toBe(expected)
      expect(r.status, context).toBe(0)
    }
  })
})
