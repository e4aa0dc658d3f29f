import type { StageRecord, Store } from '@pipewright/store-api'
import { createMemoryStore } from '@pipewright/store-api'
import { describe, expect, it } from 'vitest'
import { computeReview } from '../src/review.js'
import { DAY, HOUR, MIN, T0, seedRun, seedStage } from './seed.js'

// Histories are written through the Store API (runs, stages, events, plugin records) the way the
// recorder and the plugins write them; each pattern is seeded on top of a quiet baseline.
const window = { from: T0, to: T0 + 14 * DAY }

/** A run on commit `sha` at `at` with the given stages (duration in minutes) and events. */
async function run(store: Store, at: number, sha: string, stages: Array<Partial<StageRecord> & { stageId: string; minutes?: number; cpuMs?: number }>, extra: { events?: Array<{ type: string; payload: object }>; queuedMs?: number } = {}) {
  const r = await seedRun(store, 'shop', at, { sha, branch: 'main', startedAt: at + (extra.queuedMs ?? 0) })
  const events = [...(extra.events ?? []), ...(extra.queuedMs ? [{ type: 'run:queued', payload: { pipeline: 'shop', position: 1 } }] : [])]
  for (const { minutes = 1, cpuMs, ...s } of stages) {
    await seedStage(store, r.id, s.stageId, { startedAt: at, finishedAt: at + minutes * MIN, durationMs: minutes * MIN, ...s })
    if (cpuMs !== undefined) events.push({ type: 'stage:attempted', payload: { runId: r.id, stageId: s.stageId, attempt: 1, ok: true, exitCode: 0, outputs: {}, durationMs: minutes * MIN, cpuMs } })
  }
  await store.appendEvents(events.map((e, i) => ({ runId: r.id, seq: i + 1, type: e.type, payload: { runId: r.id, ...e.payload }, at })))
  return r
}

/** Ten quiet runs, one a day on new commits: nothing to suggest. */
async function baseline(store: Store) {
  for (let i = 0; i < 10; i++) await run(store, T0 + i * DAY, `base${i}`, [{ stageId: 'build', minutes: 2, cpuMs: 30_000 }, { stageId: 'test', minutes: 3, cpuMs: 40_000 }])
}

const kinds = async (store: Store) => (await computeReview(store, { window })).suggestions.map((s) => `${s.kind}:${s.subject}`)

describe('the process review', () => {
  it('suggests nothing for a quiet history, and still reports where time went', async () => {
    const store = createMemoryStore()
    await baseline(store)
    const review = await computeReview(store, { window })
    expect(review.suggestions).toEqual([])
    expect(review.runs).toBe(10)
    // test: 3 min every run → median 3 min, 30 min in all; build: 2 min.
    expect(review.slowestStages.map((s) => [s.stageId, s.medianMs, s.totalMs])).toEqual([['test', 3 * MIN, 30 * MIN], ['build', 2 * MIN, 20 * MIN]])
    // CPU: test 10 × 40 s = 400 s, build 10 × 30 s = 300 s.
    expect(review.cpuByStage).toEqual([{ stageId: 'test', cpuMs: 400_000, attempts: 10 }, { stageId: 'build', cpuMs: 300_000, attempts: 10 }])
  })

  it('cache: runs that re-ran a stage with unchanged inputs', async () => {
    const store = createMemoryStore()
    await baseline(store)
    // install ran 4 times on commit same1, 5 min each: the last 3 re-ran it → 15 min.
    for (let i = 0; i < 4; i++) await run(store, T0 + i * DAY + HOUR, 'same1', [{ stageId: 'install', minutes: 5 }])
    const review = await computeReview(store, { window })
    expect(review.suggestions.map((s) => s.text)).toEqual(['cache `install`: 3 runs re-ran it with unchanged inputs, 15 min in all; give it `cache:` with the files it reads.'])
  })

  it('cache: a key that keeps missing, and the time hits saved', async () => {
    const store = createMemoryStore()
    await baseline(store)
    // lint: 5 runs with a new key each time (misses, 2 min), then 1 hit served from the first run.
    const first = await run(store, T0 + HOUR, 'l0', [{ stageId: 'lint', minutes: 2, cacheKey: 'k0' }])
    for (let i = 1; i < 5; i++) await run(store, T0 + i * DAY + HOUR, `l${i}`, [{ stageId: 'lint', minutes: 2, cacheKey: `k${i}` }])
    await run(store, T0 + 6 * DAY, 'l6', [{ stageId: 'lint', status: 'cached', cacheKey: 'k0' }], { events: [{ type: 'cache:hit', payload: { stageId: 'lint', key: 'k0', fromRunId: first.id } }] })
    const review = await computeReview(store, { window })
    // 1 hit of 6 lookups; the hit saved the 2 min the first run spent.
    expect(review.cacheTotals).toEqual({ hits: 1, misses: 5, hitRate: 1 / 6, savedMs: 2 * MIN })
    expect(await kinds(store)).toEqual(['cache-miss:lint'])
  })

  it('a stage that got slower in the second half of the window', async () => {
    const store = createMemoryStore()
    await baseline(store)
    // e2e: 4 min in days 0–3, 6 min in days 8–11 → +50 %.
    for (const day of [0, 1, 2, 3]) await run(store, T0 + day * DAY + HOUR, `e${day}`, [{ stageId: 'e2e', minutes: 4 }])
    for (const day of [8, 9, 10, 11]) await run(store, T0 + day * DAY + HOUR, `e${day}`, [{ stageId: 'e2e', minutes: 6 }])
    const [s] = (await computeReview(store, { window })).suggestions
    expect(s).toMatchObject({ kind: 'slower-stage', subject: 'e2e', numbers: { earlierMs: 4 * MIN, laterMs: 6 * MIN, change: 0.5 } })
    expect(s!.text).toContain('median 4m 00s → 6m 00s (+50 %)')
  })

  it('waiting on approvals, locks and the run queue', async () => {
    const store = createMemoryStore()
    await baseline(store)
    // Approvals: 20 + 40 min = 1 h (≥ 30 min). Lock: 12 min (≥ 10). Queue: 11 min (≥ 10).
    const wait = (stageId: string, kind: string, waitedMs: number) => ({ type: 'stage:wait-ended', payload: { stageId, kind, waitedMs, outcome: 'continued' } })
    await run(store, T0 + HOUR, 'w1', [{ stageId: 'deploy-prod' }], { events: [wait('deploy-prod', 'approval', 20 * MIN), wait('deploy-prod', 'lock', 12 * MIN)] })
    await run(store, T0 + DAY, 'w2', [{ stageId: 'deploy-prod' }], { events: [wait('deploy-prod', 'approval', 40 * MIN)], queuedMs: 11 * MIN })
    const review = await computeReview(store, { window })
    expect(review.waiting.map((w) => [w.kind, w.waits, w.totalMs])).toEqual([['approval', 2, 60 * MIN], ['lock', 1, 12 * MIN], ['queue', 1, 11 * MIN]])
    expect(review.suggestions.map((s) => s.subject)).toEqual(['approval', 'lock', 'queue'])
    expect(review.suggestions[0]!.text).toContain('2 waits, 1h 00m in all (median 30m 00s')
  })

  it('flaky tests ranked, from retries and from failures on a commit that also passed', async () => {
    const store = createMemoryStore()
    await baseline(store)
    const results = (failures: string[], flaky: string[]) => ({ total: 10, passed: 10 - failures.length, failed: failures.length, skipped: 0, flaky: flaky.length, durationMs: 1000, attempts: 1, suites: [], failures: failures.map((id) => ({ id })), flakyTests: flaky.map((id) => ({ id })) })
    const save = async (runId: string, data: object, at: number) => store.saveRecord('shop', { runId, stageId: 'test', kind: 'test-runner.results', data, createdAt: at })
    // cart > total: flaky on retry in 2 runs, and failed on commit f3 where another run passed → 3 runs.
    // auth > login: flaky once → listed, no suggestion.
    const a = await run(store, T0 + HOUR, 'f1', [{ stageId: 'test' }])
    await save(a.id, results([], ['cart > total', 'auth > login']), T0 + HOUR)
    const b = await run(store, T0 + DAY, 'f2', [{ stageId: 'test' }])
    await save(b.id, results([], ['cart > total']), T0 + DAY)
    const c = await run(store, T0 + 2 * DAY, 'f3', [{ stageId: 'test', status: 'failed', exitCode: 1, error: { code: 'PW_ERR_STAGE_FAILED', message: 'exit 1' } }])
    await save(c.id, results(['cart > total'], []), T0 + 2 * DAY)
    const d = await run(store, T0 + 2 * DAY + HOUR, 'f3', [{ stageId: 'test' }])
    await save(d.id, results([], []), T0 + 2 * DAY + HOUR)
    const review = await computeReview(store, { window })
    expect(review.flakyTests).toEqual([{ id: 'cart > total', runs: 3, stages: ['test'] }, { id: 'auth > login', runs: 1, stages: ['test'] }])
    expect(review.suggestions.map((s) => `${s.kind}:${s.subject}`)).toEqual(['flaky-test:cart > total'])
    expect(review.failures).toEqual([{ class: 'tests', count: 1, stages: [{ stageId: 'test', count: 1 }], codes: ['PW_ERR_STAGE_FAILED'] }])
  })

  it('failure causes by class; timeouts and infrastructure failures suggest a fix', async () => {
    const store = createMemoryStore()
    await baseline(store)
    const failed = (code: string, exitCode: number | null = 1) => ({ status: 'failed' as const, exitCode, error: { code, message: code } })
    await run(store, T0 + HOUR, 't1', [{ stageId: 'e2e', ...failed('PW_ERR_TIMEOUT', null) }])
    await run(store, T0 + DAY, 't2', [{ stageId: 'e2e', ...failed('PW_ERR_TIMEOUT', null) }])
    await run(store, T0 + 2 * DAY, 't3', [{ stageId: 'deploy-prod', ...failed('PW_ERR_AGENT_UNAVAILABLE') }])
    await run(store, T0 + 3 * DAY, 't4', [{ stageId: 'build', ...failed('PW_ERR_STAGE_FAILED', 127) }])
    await run(store, T0 + 4 * DAY, 't5', [{ stageId: 'build', ...failed('PW_ERR_STAGE_FAILED', 2) }])
    const review = await computeReview(store, { window })
    expect(review.failures.map((f) => [f.class, f.count])).toEqual([['infrastructure', 2], ['timeout', 2], ['command', 1]])
    expect(await kinds(store)).toEqual(['timeouts:e2e', 'infrastructure:deploy-prod, build'])
  })

  it('a stage that uses most of the CPU', async () => {
    const store = createMemoryStore()
    await baseline(store)
    // bundle: 4 × 4 min of CPU = 16 min, of 16 + 11.67 min in all (58 %).
    for (let i = 0; i < 4; i++) await run(store, T0 + i * DAY + HOUR, `c${i}`, [{ stageId: 'bundle', cpuMs: 4 * MIN }])
    const [s] = (await computeReview(store, { window })).suggestions
    expect(s).toMatchObject({ kind: 'cpu', subject: 'bundle', numbers: { cpuMs: 16 * MIN } })
    expect(s!.text).toContain('used 16 min of CPU (57.8 % of all stages) in 4 attempts')
  })
})
