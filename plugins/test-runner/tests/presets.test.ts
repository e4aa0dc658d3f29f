import { existsSync, readFileSync, writeFileSync } from 'node:fs'
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
    // src/math.js: add and divide are both called, the b === 0 branch never is. Only the source
    // counts: the test files (whose skipped test's function never runs) are left out.
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

  it('keeps an option\'s value on a rerun and replaces only the file filters', async () => {
    const dir = copyFixture(`${runner}-flaky`)
    const namePattern = runner === 'node' ? '--test-name-pattern' : '--testNamePattern'
    const { ctx, done } = run(dir, { args: [namePattern, 'connects|adds', 'test/flaky.test.js', 'test/stable.test.js'], 'rerun-failed': 1 })
    await done
    expect(ctx.captured.outputs).toMatchObject({ total: '2', passed: '1', failed: '0', flaky: '1' })
    // The rerun ran the failing file alone, so its own filters were dropped, not the pattern.
    expect(readFileSync(join(dir, '.stable-runs'), 'utf8').trim().split('\n')).toHaveLength(1)
  })

  it('without reruns, a flaky test fails the stage', async () => {
    const dir = copyFixture(`${runner}-flaky`)
    const { done } = run(dir, {})
    await expect(done).rejects.toThrow(/1 of 2 tests failed/)
    expect(existsSync(join(dir, '.flaky-marker'))).toBe(true)
  })
})

// A project selector takes a value, which a rerun must not mistake for a file filter.
describe.each([
  ['vitest', '--project', 'vitest.config.mjs', "export default { test: { projects: [{ test: { name: 'unit', include: ['test/**/*.test.js'] } }, { test: { name: 'other', include: ['nothing/**/*.test.js'] } }] } }\n"],
  ['jest', '--selectProjects', 'jest.config.cjs', "module.exports = { projects: [{ displayName: 'legacy', testEnvironment: 'node', testMatch: ['<rootDir>/test/**/*.test.js'] }, { displayName: 'other', testMatch: ['<rootDir>/nothing/**/*.test.js'] }] }\n"],
] as const)('test-runner/%s with %s', (runner, flag, configFile, config) => {
  it('re-runs the failing file within the selected project', async () => {
    const dir = copyFixture(`${runner}-flaky`)
    writeFileSync(join(dir, configFile), config)
    const stage = stages[runner] as StageDefinition<unknown>
    const ctx = testStage({ workspace: dir })
    await stage.run(ctx, stage.configSchema!.parse({ args: [flag, runner === 'vitest' ? 'unit' : 'legacy'], 'rerun-failed': 1 }))
    expect(ctx.captured.outputs).toMatchObject({ total: '2', failed: '0', flaky: '1' })
    expect(readFileSync(join(dir, '.stable-runs'), 'utf8').trim().split('\n')).toHaveLength(1)
  })
})
