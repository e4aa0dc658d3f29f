import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, tempDir, waitFor, type TestServer } from './helpers.js'

const PIPELINE = `name: nightly
on:
  schedule: ["*/5 * * * *"]
stages:
  one:
    run: echo scheduled
`

describe('schedules across server restarts (a fake clock)', () => {
  const open: TestServer[] = []
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close()
  })

  it('neither loses nor doubles a slot: first sight, a due slot, a restart that catches up one missed slot, a restart that adds none, two servers racing', async () => {
    const dir = tempDir('pw-sched-')
    execFileSync('git', ['init', '-q', dir])
    writeFileSync(join(dir, 'pipewright.yml'), PIPELINE)
    let now = Date.UTC(2026, 0, 1, 10, 2, 0)
    const start = async () => {
      const t = await startTestServer({}, { dir, pipelines: [join(dir, 'pipewright.yml')], now: () => now, scheduleIntervalMs: 3_600_000 })
      open.push(t)
      await t.server.scheduler!.tick()
      return t
    }
    const scheduled = async (t: TestServer) => (await t.engine.store.listRuns({ limit: 1000 })).filter((r) => r.trigger === 'schedule')
    const stop = async (t: TestServer) => {
      await waitFor(async () => ((await t.engine.store.listRuns({ status: ['running', 'queued'] })).length === 0 ? true : undefined))
      await t.close()
      open.splice(open.indexOf(t), 1)
    }

    // First sight at 10:02: the 10:00 slot is recorded, nothing runs.
    let t = await start()
    expect(await scheduled(t)).toHaveLength(0)
    // 10:05:01: the 10:05 slot runs once, however often the scheduler looks.
    now = Date.UTC(2026, 0, 1, 10, 5, 1)
    expect(await t.server.scheduler!.tick()).toHaveLength(1)
    expect(await t.server.scheduler!.tick()).toHaveLength(0)
    await stop(t)

    // Down from 10:05 to 10:17: a restart catches up one missed slot (10:15), not three.
    now = Date.UTC(2026, 0, 1, 10, 17, 0)
    t = await start()
    expect(await scheduled(t)).toHaveLength(2)
    await stop(t)

    // A second restart in the same slot adds nothing.
    t = await start()
    expect(await scheduled(t)).toHaveLength(2)
    // Two servers on one store when the 10:20 slot comes: exactly one run.
    now = Date.UTC(2026, 0, 1, 10, 20, 1)
    const other = await startTestServer({}, { dir, pipelines: [join(dir, 'pipewright.yml')], now: () => now, scheduleIntervalMs: 3_600_000 })
    open.push(other)
    await Promise.all([t.server.scheduler!.tick(), other.server.scheduler!.tick()])
    await waitFor(async () => ((await scheduled(t)).length >= 3 ? true : undefined))
    await waitFor(async () => ((await t.engine.store.listRuns({ status: ['running', 'queued'] })).length === 0 ? true : undefined))
    const runs = await scheduled(t)
    expect(runs).toHaveLength(3)
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true)
  })
})
