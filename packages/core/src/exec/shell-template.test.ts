import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { templateShellScript } from './shell-template.js'

const HOSTILE = `$(touch /tmp/pw-injected) \`id\` "quotes" 'single' ; rm -rf nothing && echo pwned \\ $HOME`

/** Runs the templated script for real and returns what it printed. */
function run(script: string, values: Record<string, string>): string {
  const t = templateShellScript(script, (source) => values[source] ?? '')
  const r = spawnSync('sh', ['-c', t.script], { env: { PATH: process.env.PATH, HOME: '/home/x', ...t.env }, encoding: 'utf8' })
  return r.stdout
}

describe('templateShellScript', () => {
  it.each([
    ['unquoted', 'printf "%s\\n" ${{ v }}'],
    ['double quotes', 'echo "value: ${{ v }}"'],
    ['single quotes', "echo 'value: ${{ v }}'"],
    ['unquoted heredoc', 'cat <<EOF\nvalue: ${{ v }}\nEOF'],
  ])('passes hostile values through as data (%s)', (_, script) => {
    rmSync('/tmp/pw-injected', { force: true })
    const out = run(script, { v: HOSTILE })
    expect(existsSync('/tmp/pw-injected')).toBe(false)
    expect(out).toContain(HOSTILE)
    expect(out).not.toContain('pwned\n')
  })

  it('pastes text into a quoted heredoc, which the shell never expands', () => {
    expect(run("cat <<'EOF'\nraw ${{ v }} $HOME\nEOF", { v: 'x$(id)' })).toBe('raw x$(id) $HOME\n')
  })

  it('keeps ordinary scripts working: quotes inside quotes, escapes, repeated expressions', () => {
    const script = `echo "it's \\"\${{ a }}\\""; echo '\${{ a }}-\${{ b }}' && echo done \\' \${{ b }}`
    expect(run(script, { a: 'A', b: 'B C' })).toBe(`it's "A"\nA-B C\ndone ' B C\n`)
  })

  it('reuses one variable for a repeated expression and leaves scripts without expressions alone', () => {
    const t = templateShellScript('echo ${{ x }} ${{ x }} ${{ y }}', (s) => s.toUpperCase())
    expect(t.env).toEqual({ PIPEWRIGHT_EXPR_0: 'X', PIPEWRIGHT_EXPR_1: 'Y' })
    expect(templateShellScript('echo plain', () => '')).toEqual({ script: 'echo plain', env: {} })
  })
})
