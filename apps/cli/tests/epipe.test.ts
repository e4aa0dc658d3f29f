import { spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { BIN, cliEnv, makeProject, removeProject, runCli } from './helpers/cli.js'

let dir: string | undefined
afterEach(async () => {
  if (dir) await removeProject(dir)
})

describe('output into a pipe that closes early', () => {
  it('`pipewright logs … | head -1` ends quietly, without an EPIPE error', async () => {
    const stages = Array.from({ length: 200 }, (_, i) => `  s${i}: { run: 'echo line ${i}' }`).join('\n')
    dir = await makeProject({ 'pipewright.yml': `name: many\nstages:\n${stages}\n` })
    expect((await runCli(['run'], { cwd: dir })).code).toBe(0)
    const [run] = JSON.parse((await runCli(['runs', '--json'], { cwd: dir })).stdout) as Array<{ id: string }>
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" logs ${run!.id} | head -1`], { cwd: dir, env: cliEnv(), encoding: 'utf8' })
    expect(r.stdout.trim()).toMatch(/^s\d+ │ line \d+$/)
    expect(r.stderr).not.toMatch(/EPIPE|Error/)
  })
})
