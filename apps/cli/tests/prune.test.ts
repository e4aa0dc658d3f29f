import { describe, expect, it } from 'vitest'
import { runCli, useTempProjects } from './helpers/cli.js'

describe('pipewright prune', () => {
  const project = useTempProjects()

  it('removes finished runs older than --keep, with their logs, and keeps recent ones', async () => {
    const dir = await project({ 'pipewright.yml': 'name: p\nstages:\n  a: { run: echo hello }\n' })
    expect((await runCli(['run'], { cwd: dir })).code).toBe(0)
    expect((await runCli(['run'], { cwd: dir })).code).toBe(0)
    const kept = await runCli(['prune', '--keep', '1h', '--json'], { cwd: dir })
    expect(JSON.parse(kept.stdout)).toMatchObject({ runs: 0 })
    // 1 ms retention: both finished runs are older than that.
    const pruned = await runCli(['prune', '--keep', '1ms'], { cwd: dir })
    expect(pruned.code).toBe(0)
    expect(pruned.stdout).toMatch(/^Removed 2 runs finished before .* \(running, queued and interrupted runs are kept\)\.$/m)
    expect(JSON.parse((await runCli(['runs', '--json'], { cwd: dir })).stdout)).toEqual([])
  })

  it('refuses a retention that is not a duration, exit 2', async () => {
    const dir = await project({ 'pipewright.yml': 'name: p\nstages:\n  a: { run: echo hello }\n' })
    const r = await runCli(['prune', '--keep', 'forever'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--keep forever is not a duration')
  })
})
