import { describe, expect, it } from 'vitest'
import { runCli, useTempProjects } from './helpers/cli.js'

// A tool that colours its output, as most test runners and linters do on their own.
const PIPELINE = `name: colours
stages:
  paint:
    run: printf '\\033[31mred\\033[0m and \\033[1mbold\\033[22m\\n'
`
const ESC = '\u001B'

const project = useTempProjects()

describe('colour codes in stage output', () => {
  it('are stripped from run and logs output into a pipe, and kept in the store', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE })
    // Neither CI nor NO_COLOR: only the pipe says "not a terminal".
    const env = { CI: undefined, NO_COLOR: undefined }
    const run = await runCli(['run'], { cwd: dir, env })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('paint │ red and bold\n')
    expect(run.stdout).not.toContain(ESC)

    const runId = /^run (\S+) · details/m.exec(run.stdout)![1]!
    const logs = await runCli(['logs', runId, 'paint'], { cwd: dir, env })
    expect(logs.stdout).toBe('red and bold\n')

    // FORCE_COLOR asks for colour in a pipe: the line comes back from the store as the tool wrote it.
    const raw = await runCli(['logs', runId, 'paint'], { cwd: dir, env: { ...env, FORCE_COLOR: '1' } })
    expect(raw.stdout).toBe(`${ESC}[31mred${ESC}[0m and ${ESC}[1mbold${ESC}[22m\n`)
  })
})
