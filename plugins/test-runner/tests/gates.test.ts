import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GateDefinition, GateResult, StageDefinition } from '@pipewright/plugin-api'
import { describe, expect, it } from 'vitest'
import plugin, { RESULTS_KIND, type ResultsRecord } from '../src/index.js'
import { createRecordBook, gateContextFor, inspectPlugin, type RecordBook } from '@pipewright/testing'
import { testStage } from './helpers/context.js'
import { copyFixture } from './helpers/fixtures.js'

const { gates, stages } = await inspectPlugin(plugin)
const resultsGate = gates.results as GateDefinition<unknown>
const coverageGate = gates.coverage as GateDefinition<unknown>

const results = (failures: string[], extra: Partial<ResultsRecord> = {}): ResultsRecord => ({
  total: 10,
  passed: 10 - failures.length,
  failed: failures.length,
  skipped: 0,
  flaky: 0,
  durationMs: 100,
  attempts: 1,
  suites: [],
  failures: failures.map((id) => ({ id, file: 'test/a.test.js', line: 3 })),
  flakyTests: [],
  ...extra,
})

/** Saves `record` as run `runId` of stage `unit` on `branch`, then evaluates `gate` with `config` as that run. */
async function evaluate(store: RecordBook, runId: string, record: ResultsRecord | undefined, gate: GateDefinition<unknown>, config: Record<string, unknown>, branch = 'main'): Promise<GateResult> {
  const ctx = testStage({ workspace: mkdtempSync(join(tmpdir(), 'pw-gate-')), records: store, runId, stageId: 'unit', branch })
  if (record) await ctx.records.save(RESULTS_KIND, record)
  return gate.evaluate(gateContextFor(ctx), gate.configSchema!.parse(config))
}

describe('test-runner/results gate', () => {
  it('passes within max-failures and fails beyond, naming the numbers', async () => {
    const store = createRecordBook()
    expect(await evaluate(store, 'r1', results(['a > x']), resultsGate, { 'max-failures': 1 })).toMatchObject({ verdict: 'pass', reason: '1 failing test is within the allowed 1 (10 tests, 0 flaky).' })
    const failed = await evaluate(store, 'r2', results(['a > x', 'a > y']), resultsGate, { 'max-failures': 1 })
    expect(failed).toMatchObject({ verdict: 'fail', reason: '2 tests failed where at most 1 may.', evidence: { failed: 2, maxFailures: 1 } })
  })

  it('speaks of a single test in the singular', async () => {
    const record = results(['a > x'], { flaky: 1, flakyTests: [{ id: 'f1' }] })
    const verdict = await evaluate(createRecordBook(), 'r1', record, resultsGate, { 'max-flaky': 0 })
    expect(verdict).toMatchObject({ verdict: 'fail', reason: '1 test failed where at most 0 may; 1 test was flaky where at most 0 may.' })
    const twoAllowed = await evaluate(createRecordBook(), 'r1', results(['a > x', 'a > y']), resultsGate, { 'max-failures': 2 })
    expect(twoAllowed.reason).toBe('2 failing tests are within the allowed 2 (10 tests, 0 flaky).')
  })

  it('with no-new-failures, compares with the last successful run on the same branch', async () => {
    const store = createRecordBook()
    await evaluate(store, 'main-1', results(['a > known']), resultsGate, {})
    store.finishRun('main-1', 'succeeded')
    // A later successful run on another branch must not become the baseline for main.
    await evaluate(store, 'feature-1', results(['a > known', 'a > other-branch']), resultsGate, {}, 'feature')
    store.finishRun('feature-1', 'succeeded')
    // A failed run on main is not a baseline either.
    await evaluate(store, 'main-2', results([]), resultsGate, {})
    store.finishRun('main-2', 'failed')

    const config = { 'max-failures': 5, 'no-new-failures': true }
    const same = await evaluate(store, 'main-3', results(['a > known']), resultsGate, config)
    expect(same.verdict).toBe('pass')
    const worse = await evaluate(store, 'main-4', results(['a > known', 'a > new one']), resultsGate, config)
    expect(worse.verdict).toBe('fail')
    expect(worse.reason).toBe('"a > new one" (test/a.test.js:3) fails now but did not in run main-1.')
    expect(worse.evidence).toMatchObject({ baseline: { runId: 'main-1', branch: 'main', failed: 1 }, newFailures: [{ id: 'a > new one' }] })
  })

  it('with no-new-failures and no successful run before, makes this run the baseline', async () => {
    const verdict = await evaluate(createRecordBook(), 'r1', results(['a > x']), resultsGate, { 'max-failures': 1, 'no-new-failures': true })
    expect(verdict).toMatchObject({ verdict: 'pass', reason: '1 failing test is within the allowed 1 (10 tests, 0 flaky, no earlier successful run to compare with).', evidence: { baseline: null } })
  })

  it('fails when the stage recorded nothing', async () => {
    const verdict = await evaluate(createRecordBook(), 'r1', undefined, resultsGate, {})
    expect(verdict).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/^Stage unit recorded no test results/) })
  })

  it('bounds flaky tests with max-flaky', async () => {
    const record = results([], { flaky: 2, flakyTests: [{ id: 'f1' }, { id: 'f2' }] })
    const verdict = await evaluate(createRecordBook(), 'r1', record, resultsGate, { 'max-flaky': 1 })
    expect(verdict).toMatchObject({ verdict: 'fail', reason: '2 tests were flaky where at most 1 may.', evidence: { flakyTests: [{ id: 'f1' }, { id: 'f2' }] } })
  })
})

describe('test-runner/coverage gate', () => {
  const cov = (lines: number, branches: number) => results([], { coverage: { lines, branches, functions: 90, file: 'coverage/coverage-summary.json', format: 'istanbul' } })

  it('checks thresholds and reports each shortfall', async () => {
    const store = createRecordBook()
    expect((await evaluate(store, 'r1', cov(85, 70), coverageGate, { lines: 80, branches: 70 })).verdict).toBe('pass')
    const low = await evaluate(store, 'r2', cov(79.5, 60), coverageGate, { lines: 80, branches: 70, statements: 50 })
    expect(low.verdict).toBe('fail')
    expect(low.reason).toBe('Coverage is too low: lines 79.5% is below 80%; branches 60% is below 70%; statements is not in the coverage report but must be at least 50%.')
    expect(low.evidence).toMatchObject({ coverage: { lines: 79.5, branches: 60, functions: 90 }, thresholds: { lines: 80, branches: 70, statements: 50 } })
  })

  it('fails on a drop larger than max-drop since the last successful run', async () => {
    const store = createRecordBook()
    await evaluate(store, 'r1', cov(85, 70), coverageGate, { 'max-drop': 1 })
    store.finishRun('r1', 'succeeded')
    expect((await evaluate(store, 'r2', cov(84.5, 70), coverageGate, { 'max-drop': 1 })).reason).toBe('Coverage meets every threshold (lines 84.5%, branches 70%, functions 90%, within 1 points of run r1).')
    const dropped = await evaluate(store, 'r3', cov(80, 70), coverageGate, { 'max-drop': 1 })
    expect(dropped).toMatchObject({ verdict: 'fail', reason: 'Coverage is too low: lines fell 5 points (from 85% to 80%).', evidence: { baseline: { runId: 'r1' } } })
  })

  it('fails when no coverage was measured, and rejects an empty config', async () => {
    const verdict = await evaluate(createRecordBook(), 'r1', results([]), coverageGate, { lines: 80 })
    expect(verdict).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/measured no coverage/) })
    expect(coverageGate.configSchema!.safeParse({}).success).toBe(false)
  })

  it('judges the coverage a real vitest run measured', async () => {
    // End to end without the engine: the vitest preset measures, the gate reads its record.
    const stage = stages.vitest as StageDefinition<unknown>
    const ctx = testStage({ workspace: copyFixture('vitest-passing'), stageId: 'unit' })
    await stage.run(ctx, stage.configSchema!.parse({ coverage: true }))
    const gateCtx = gateContextFor(ctx)
    const strict = await coverageGate.evaluate(gateCtx, coverageGate.configSchema!.parse({ lines: 100, functions: 100 }))
    expect(strict.verdict).toBe('fail')
    expect(strict.reason).toMatch(/^Coverage is too low: lines [\d.]+% is below 100%\.$/)
    expect((await coverageGate.evaluate(gateCtx, coverageGate.configSchema!.parse({ functions: 100 }))).verdict).toBe('pass')
  })
})
