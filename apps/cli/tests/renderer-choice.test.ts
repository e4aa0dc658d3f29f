import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {BIN, cliEnv, runCli, useTempProjects } from './helpers/cli.js'

const PIPELINE = `name: view
stages:
  first:
    run: echo "first line"; sleep 1; echo "first done"
  second:
    needs: first
    run: echo "second line"
`

// Control sequences: cursor hide (log-update), erase line and cursor up (its redraws).
const HIDE_CURSOR = '\u001B[?25l'
const ERASE_LINE = '\u001B[2K'
const CURSOR_UP = '\u001B[1A'

const project = useTempProjects()

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * Runs `pipewright run` on a pseudo-terminal of 100 columns, through util-linux `script`
 * (stdout and stderr both go to the terminal). NO_COLOR stays on so the text can be matched.
 */
function runOnTerminal(cwd: string, env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // `script` gives the pty no size when its own stdin is not a terminal: set one, as a real terminal would.
    const command = `stty cols 100 rows 40; exec ${quote(process.execPath)} ${quote(BIN)} run`
    const child = spawn('script', ['-qfc', command, '/dev/null'], { cwd, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

describe('choosing the run renderer', () => {
  it('plain lines when stdout is a pipe, even without CI and NO_COLOR', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE })
    const r = await runCli(['run'], { cwd: dir, env: { CI: undefined, NO_COLOR: undefined } })
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain('\u001B[')
    const lines = r.stdout.split('\n')
    expect(lines).toContain('▶ first')
    expect(lines).toContain('first │ first line')
    expect(lines).toContain('second │ second line')
    expect(r.stdout).toMatch(/^✓ view succeeded in /m)
  })

  it('plain lines under CI=true even on a terminal', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE })
    const r = await runOnTerminal(dir, { CI: 'true' })
    expect(r.code).toBe(0)
    expect(r.output).not.toContain(HIDE_CURSOR)
    expect(r.output).not.toContain(CURSOR_UP)
    expect(r.output).toContain('first │ first line')
    expect(r.output).toMatch(/^✓ view succeeded in /m)
  })

  it('the live view on a terminal: the stage tree redrawn in place', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE })
    const r = await runOnTerminal(dir, { CI: undefined })
    expect(r.code).toBe(0)
    expect(r.output).toContain(HIDE_CURSOR)
    expect(r.output).toContain(ERASE_LINE)
    expect(r.output).toContain(CURSOR_UP)
    // No plain progress lines: the tree replaces them.
    expect(r.output).not.toContain('first │ first line')
    expect(r.output).toMatch(/^✓ view succeeded in /m)
  })
})
