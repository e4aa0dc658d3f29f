import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryStore, type RunRecord } from '@pipewright/store-api'
import { createEngine } from '../../src/engine/engine.js'
import { RunsApi } from '../../src/record/runs-api.js'
import { isRunning, tempProject, type TempProject } from '../engine/helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('engine.cancel', () => {
  it('cancels a running run by id: its process tree is stopped and always() stages still run', async () => {
    project = await tempProject(`
name: cancellable
stages:
  slow: { run: 'echo $$ > pid; sleep 30' }
  cleanup: { needs: [slow], if: "\${{ always() }}", run: 'echo cleaned' }
`)
    const engine = createEngine()
    const handle = await engine.run(project.file)
    const { readFile } = await import('node:fs/promises')
    let pid = 0
    await until(async () => (pid = Number(await readFile(`${project!.dir}/pid`, 'utf8').catch(() => '0'))) > 0)
    expect(engine.runs.live(handle.id)).toBe(handle)
    await engine.cancel(handle.id, 'operator pressed cancel')
    const result = await handle.result
    expect(result.status).toBe('cancelled')
    expect(result.stages.map((s) => [s.id, s.status])).toEqual([['slow', 'cancelled'], ['cleanup', 'succeeded']])
    await until(() => !isRunning(pid))
    expect(engine.runs.live(handle.id)).toBeUndefined()
    await expect(engine.cancel(handle.id)).rejects.toMatchObject({ code: 'PW_ERR_RUN_NOT_FOUND', message: `Run ${handle.id} is not running in this engine` })
  })
})

describe('queued runs (maxRuns)', () => {
  it('queues runs past the limit in arrival order, shows them queued, and lets a queued run be cancelled', async () => {
    project = await tempProject(`
name: queued
stages:
  work: { run: 'echo "\${{ vars.n }}" >> order.txt; while [ ! -f go-\${{ vars.n }} ]; do sleep 0.02; done' }
`)
    const store = createMemoryStore()
    const engine = createEngine({ store, maxRuns: 1 })
    const queued: Array<{ runId: string; position: number }> = []
    engine.on('run:queued', (p) => queued.push({ runId: p.runId, position: p.position }))
    const first = await engine.run(project.file, { vars: { n: '1' } })
    const second = await engine.run(project.file, { vars: { n: '2' } })
    const third = await engine.run(project.file, { vars: { n: '3' } })
    expect(queued).toEqual([{ runId: second.id, position: 1 }, { runId: third.id, position: 2 }])
    expect((await engine.runs.get(second.id))?.status).toBe('queued')
    await until(async () => (await engine.runs.get(first.id))?.status === 'running')

    await engine.cancel(second.id)
    expect(await second.result).toMatchObject({ status: 'cancelled', stages: [] })
    expect((await engine.runs.get(second.id))?.status).toBe('cancelled')

    const { writeFile, readFile } = await import('node:fs/promises')
    await writeFile(`${project.dir}/go-1`, '')
    await writeFile(`${project.dir}/go-3`, '')
    expect((await first.result).status).toBe('succeeded')
    expect((await third.result).status).toBe('succeeded')
    expect((await readFile(`${project.dir}/order.txt`, 'utf8')).trim().split('\n')).toEqual(['1', '3'])
    const third1 = await engine.runs.get(third.id)
    expect(third1!.startedAt).toBeGreaterThanOrEqual((await engine.runs.get(first.id))!.finishedAt!)
  })
})

describe('the read API', () => {
  const record = (id: string, createdAt: number, extra: Partial<RunRecord> = {}): RunRecord => ({
    id, pipeline: 'p', dir: '/tmp', status: 'succeeded', plan: { pipeline: 'p', stages: [] }, options: {}, createdAt, pid: process.pid, host: 'here', heartbeatAt: createdAt, ...extra,
  })

  it('pages runs newest first with a cursor and filters them', async () => {
    const store = createMemoryStore()
    for (let i = 0; i < 7; i++) await store.createRun(record(`r${i}`, 100 + Math.floor(i / 2), { status: i % 3 === 0 ? 'failed' : 'succeeded' }))
    const runs = new RunsApi(store)
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await runs.list({ limit: 3, ...(cursor ? { cursor } : {}) })
      seen.push(...page.runs.map((r) => r.id))
      cursor = page.next
      pages++
    } while (cursor)
    expect(pages).toBe(3)
    expect(seen).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0'])
    expect((await runs.list({ status: 'failed' })).runs.map((r) => r.id)).toEqual(['r6', 'r3', 'r0'])
    await expect(runs.list({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'PW_ERR_USAGE' })
  })

  it('shows a run whose process died as interrupted, whichever read comes first', async () => {
    const store = createMemoryStore()
    const dead = 2 ** 22 + 4321
    await store.createRun(record('ghost', 1, { status: 'running', pid: dead, host: (await import('node:os')).hostname() }))
    await store.createRun(record('ghost-queued', 2, { status: 'queued', pid: dead, host: (await import('node:os')).hostname() }))
    const runs = new RunsApi(store)
    expect((await runs.get('ghost'))?.status).toBe('interrupted')
    expect((await store.getRun('ghost-queued'))?.status).toBe('interrupted')
    expect((await runs.find('ghost-q')).id).toBe('ghost-queued')
    await expect(runs.find('gh')).rejects.toMatchObject({ code: 'PW_ERR_USAGE', message: 'Run id gh is ambiguous: 2 runs start with it' })
  })
})
