import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli, startCli } from './helpers/cli.js'

// Each stage appends its name to `counter`, so re-runs are visible. Stage b blocks the first
// time (until the test kills the process), and finishes at once when resumed.
const PIPELINE = `name: crashy
stages:
  a:
    run: echo a >> counter; echo a-log
  b:
    needs: a
    run: |
      echo b >> counter
      echo b-log
      if [ ! -f marker ]; then touch marker; sleep 60; fi
  c:
    needs: b
    run: echo c >> counter; echo c-log
`

let dir: string
beforeAll(async () => {
  dir = await makeProject({ 'pipewright.yml': PIPELINE })
})
afterAll(async () => {
  await removeProject(dir)
})

async function stageStatus(runId: string, stageId: string): Promise<string | undefined> {
  const r = await runCli(['show', runId, '--json'], { cwd: dir })
  if (r.code !== 0) return undefined
  return (JSON.parse(r.stdout) as { stages: Array<{ stageId: string; status: string }> }).stages.find((s) => s.stageId === stageId)?.status
}

describe('kill -9 and --resume', () => {
  it('a killed run shows as interrupted, and --resume finishes it without re-running finished stages', async () => {
    // Own process group, so the orphaned `sleep` can be cleaned up after the crash.
    const cli = startCli(['run'], { cwd: dir, detached: true })
    const runId = (await cli.waitFor(/^run (\S+) · crashy/m))[1] as string
    await cli.waitFor(/^b │ b-log$/m)
    // Kill only once the store has a's success (writes may be buffered for a few milliseconds).
    for (let i = 0; i < 100 && (await stageStatus(runId, 'a')) !== 'succeeded'; i++) await sleep(100)
    expect(await stageStatus(runId, 'a')).toBe('succeeded')

    const pid = cli.child.pid as number
    process.kill(pid, 'SIGKILL')
    const killed = await cli.done
    expect(killed.signal).toBe('SIGKILL')
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // group already gone
    }

    const runs = await runCli(['runs', '--json'], { cwd: dir })
    expect((JSON.parse(runs.stdout) as Array<{ id: string; status: string }>).find((r) => r.id === runId)?.status).toBe('interrupted')
    const table = await runCli(['runs'], { cwd: dir })
    expect(table.stdout).toMatch(new RegExp(`${runId}\\s+crashy\\s+interrupted`))

    const resumed = await runCli(['run', '--resume', runId], { cwd: dir })
    expect(resumed.code).toBe(0)
    expect(resumed.stdout).toMatch(/^resuming /m)
    expect(resumed.stdout).not.toMatch(/^▶ a$/m)
    expect(resumed.stdout).toMatch(/^▶ b$/m)
    expect(resumed.stdout).toMatch(/^✓ c /m)

    // a ran once; b twice (interrupted, then resumed); c once.
    expect(await readFile(join(dir, 'counter'), 'utf8')).toBe('a\nb\nb\nc\n')

    const logs = await runCli(['logs', runId], { cwd: dir })
    expect(logs.stdout.split('\n')).toEqual(expect.arrayContaining(['a │ a-log', 'b │ b-log', 'c │ c-log']))
    const show = await runCli(['show', runId, '--json'], { cwd: dir })
    expect((JSON.parse(show.stdout) as { run: { status: string } }).run.status).toBe('succeeded')
  })

  it('--resume of a finished run is refused with exit 2; --only with --resume is a usage error', async () => {
    const list = JSON.parse((await runCli(['runs', '--json'], { cwd: dir })).stdout) as Array<{ id: string; status: string }>
    const done = list.find((r) => r.status === 'succeeded')
    expect(done).toBeDefined()
    const again = await runCli(['run', '--resume', done?.id ?? ''], { cwd: dir })
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/^error PW_ERR_RUN_NOT_RESUMABLE/m)

    const mixed = await runCli(['run', '--resume', done?.id ?? '', '--only', 'a'], { cwd: dir })
    expect(mixed.code).toBe(2)
    expect(mixed.stderr).toMatch(/^error PW_ERR_USAGE: --only and --from cannot be combined with --resume/m)
  })
})
