import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isPipewrightError, type StageDefinition } from '@pipewright/plugin-api'
import { describe, expect, it } from 'vitest'
import { inspectPlugin } from '@pipewright/testing'
import plugin, { RESULTS_KIND, type ResultsRecord } from '../src/index.js'
import { testStage, type TestStageOptions } from './helpers/context.js'
import { copyFixture } from './helpers/fixtures.js'

const { stages } = await inspectPlugin(plugin)

// Real vitest, jest and node:test runs on the fixture projects in tests/fixtures.
describe.each(['vitest', 'jest', 'node'] as const)('test-runner/%s', (runner) => {
  const stage = stages[runner] as StageDefinition<unknown>
  const run = (workspace: string, config: Record<string, unknown>, extra: Partial<TestStageOptions> = {}) => {
    const ctx = testStage({ workspace, ...extra })
    return { ctx, done: Promise.resolve(stage.run(ctx, stage.configSchema!.parse(config))) }
  }

  it('reports a passing project with coverage', async () => {
    const { ctx, done } = run(copyFixture(`${runner}-passing`), { coverage: true })
    await done
    expect(ctx.captured.outputs).toMatchObject({ total: '3', passed: '2', failed: '0', skipped: '1', flaky: '0' })
    // src/math.js: add and divide are both called, the b === 0 branch never is. (node:test also
    // counts the test files, whose skipped test's function never runs.)
    expect(Number(ctx.captured.outputs['coverage-functions'])).toBeGreaterThan(80)
    expect(Number(ctx.captured.outputs['coverage-lines'])).toBeGreaterThan(50)
    expect(Number(ctx.captured.outputs['coverage-lines'])).toBeLessThan(100)
    expect(Number(ctx.captured.outputs['coverage-branches'])).toBeLessThan(100)
    const record = await ctx.records.get<ResultsRecord>(RESULTS_KIND)
    expect(record?.suites.length).toBeGreaterThan(0)
    expect(ctx.captured.summary).toMatch(/^3 tests: 2 passed, 0 failed, 1 skipped, 0 flaky/)
  })

  it('fails the stage naming the failing test and where it failed', async () => {
    const { ctx, done } = run(copyFixture(`${runner}-failing`), {})
    const error = await done.then(() => undefined, (e: unknown) => e)
    expect(isPipewrightError(error) && error.code).toBe('PW_ERR_STAGE_FAILED')
    expect((error as Error).message).toMatch(/1 of 3 tests failed: .*adds wrongly \(test\/math\.test\.js:\d+\)/)
    expect(ctx.captured.outputs).toMatchObject({ total: '3', passed: '2', failed: '1' })
    const record = await ctx.records.get<ResultsRecord>(RESULTS_KIND)
    expect(record?.failures).toHaveLength(1)
    expect(record?.failures[0]).toMatchObject({ file: 'test/math.test.js', line: runner === 'node' ? 7 : expect.any(Number) })
    expect(record?.failures[0]?.message).toMatch(/5/)
    // The runner's own output reached the stage log.
    expect(ctx.captured.log()).toMatch(/adds wrongly/)
  })

  it('re-runs only the failing file and reports the test as flaky', async () => {
    const dir = copyFixture(`${runner}-flaky`)
    const { ctx, done } = run(dir, { 'rerun-failed': 2 })
    await done
    expect(ctx.captured.outputs).toMatchObject({ total: '2', passed: '1', failed: '0', flaky: '1' })
    // stable.test.js ran in the first attempt only: the rerun was limited to flaky.test.js.
    expect(readFileSync(join(dir, '.stable-runs'), 'utf8').trim().split('\n')).toHaveLength(1)
    const record = await ctx.records.get<ResultsRecord>(RESULTS_KIND)
    expect(record).toMatchObject({ attempts: 2, flaky: 1 })
    expect(record?.flakyTests[0]?.id).toMatch(/eventually connects/)
    expect(ctx.captured.summary).toMatch(/FLAKY .*eventually connects.*first time flaky/)
  })

  it('without reruns, a flaky test fails the stage', async () => {
    const dir = copyFixture(`${runner}-flaky`)
    const { done } = run(dir, {})
    await expect(done).rejects.toThrow(/1 of 2 tests failed/)
    expect(existsSync(join(dir, '.flaky-marker'))).toBe(true)
  })
})
