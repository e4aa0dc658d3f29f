import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { isPipewrightError } from '@pipewright/plugin-api'
import { shellTemplateProblems, templateShellScript } from './shell-template.js'

const HOSTILE = `$(touch /tmp/pw-injected) \`id\` "quotes" 'single' ; rm -rf nothing && echo pwned \\ $HOME`

/** Runs the templated script for real and returns what it printed. */
function run(script: string, values: Record<string, string>): string {
  const t = templateShellScript(script, (source) => values[source] ?? '')
  const r = spawnSync('sh', ['-c', t.script], { env: { PATH: process.env.PATH, HOME: '/home/x', ...t.env }, encoding: 'utf8' })
  return r.stdout
}

function refusal(script: string): string {
  try {
    templateShellScript(script, () => 'x')
  } catch (error) {
    if (isPipewrightError(error) && error.code === 'PW_ERR_EXPRESSION') return error.message
    throw error
  }
  throw new Error('not refused')
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

  it('puts only variable references in the script, never a value', () => {
    const t = templateShellScript("a ${{ x }} \"${{ x }}\" '${{ y }}'\ncat <<E\n${{ y }}\nE", (s) => `VALUE-${s}`)
    expect(t.script).toBe('a "${PIPEWRIGHT_EXPR_0}" "${PIPEWRIGHT_EXPR_0}" \'\'"${PIPEWRIGHT_EXPR_1}"\'\'\ncat <<E\n${PIPEWRIGHT_EXPR_1}\nE')
    expect(t.script).not.toContain('VALUE')
  })

  it('is not misled by comments, quotes inside expressions or here-document markers in comments', () => {
    const script = "# don't <<'EOF' \"\nprintf '[%s]\\n' \"v: ${{ vars.x }}\" ${{ format('it''s \"{0}\"', 1) }}\n# it's\nprintf '[%s]\\n' '${{ vars.x }}'"
    const values = { 'vars.x': '1"; touch /tmp/pw-injected; echo "', [`format('it''s "{0}"', 1)`]: `it's "1"` }
    rmSync('/tmp/pw-injected', { force: true })
    expect(run(script, values)).toBe(`[v: ${values['vars.x']}]\n[it's "1"]\n[${values['vars.x']}]\n`)
    expect(existsSync('/tmp/pw-injected')).toBe(false)
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

  it('refuses an expression no reference can reach, with its line and column in the script', () => {
    expect(refusal("echo start\ncat <<'EOF'\nraw ${{ v }}\nEOF")).toBe("${{ v }} at line 3, column 5 of the script is inside a quoted here-document (<<'EOF'), which the shell never expands")
    expect(refusal('cat <<"E"OF\n${{ v }}\nEOF')).toMatch(/line 2, column 1 .* quoted here-document/)
    expect(refusal('cat <<\\EOF\n${{ v }}\nEOF')).toMatch(/quoted here-document/)
    expect(refusal('echo \\${{ v }}')).toMatch(/line 1, column 7 .* follows a backslash/)
    expect(refusal('cat <<${{ v }}\nx\n')).toMatch(/here-document delimiter/)
    expect(shellTemplateProblems("cat <<'EOF'\n${{ a }}\nEOF\ncat <<EOF\n${{ b }}\nEOF\n")).toEqual([expect.objectContaining({ source: 'a', line: 2, column: 1 })])
  })

  it('places expressions after a quoted here-document, several here-documents on a line, and <<-', () => {
    const script = "cat <<'A'; cat <<B\nit's $HOME \"\nA\n[${{ v }}]\nB\ncat <<-C\n\t<${{ v }}>\n\tC\nprintf '%s\\n' \"${{ v }}\""
    expect(run(script, { v: "x'y" })).toBe(`it's $HOME "\n[x'y]\n<x'y>\nx'y\n`)
  })
})
