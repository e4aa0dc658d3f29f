import type { StageDefinition } from '@pipewright/plugin-api'
import { inspectPlugin } from '@pipewright/testing'
import { describe, expect, it } from 'vitest'
import plugin, { RESULTS_KIND, type ResultsRecord } from '../src/index.js'
import { testStage } from './helpers/context.js'
import { copyFixture } from './helpers/fixtures.js'

const { stages } = await inspectPlugin(plugin)

async function runFailing(type: string, config: Record<string, unknown>) {
  const stage = stages[type] as StageDefinition<unknown>
  const ctx = testStage({ workspace: copyFixture('node-duplicates') })
  const error = await Promise.resolve()
    .then(() => stage.run(ctx, stage.configSchema!.parse(config)))
    .then(() => undefined, (e: unknown) => e as Error)
  const record = await ctx.records.get<ResultsRecord>(RESULTS_KIND)
  return { ctx, error, record: record! }
}

// node-duplicates: `parse > keeps stars` twice in test/parse.test.js (one passes, one fails) and
// once more, failing, in test/strings.test.js — names real projects repeat.
describe('failures read like the test tool\'s own output', () => {
  it('test-runner/node: file > suite > test, the real message with its line breaks, no invented suffix', async () => {
    const { ctx, error, record } = await runFailing('node', {})
    expect(error?.message).toBe(
      'Stage test: 2 of 5 tests failed: test/parse.test.js > parse > keeps stars (test/parse.test.js:7); test/strings.test.js > parse > keeps stars (test/strings.test.js:5)',
    )
    expect(record).toMatchObject({ total: 5, passed: 3, failed: 2 })
    expect(record.failures.map((f) => [f.id, f.file, f.line])).toEqual([
      ['test/parse.test.js > parse > keeps stars', 'test/parse.test.js', 7],
      ['test/strings.test.js > parse > keeps stars', 'test/strings.test.js', 5],
    ])
    expect(record.failures[0]?.message).toBe("Expected values to be strictly equal:\n\n'*' !== 'WRONG'")
    expect(record.failures[1]?.message).toMatch(/^Expected values to be strictly deep-equal:\n\+ actual - expected\n\n {2}\{\n {4}a: 1,/)
    const summary = ctx.captured.summary ?? ''
    expect(summary).not.toMatch(/#\d/)
    expect(summary).toContain("  FAILED test/parse.test.js > parse > keeps stars (test/parse.test.js:7): Expected values to be strictly equal:\n\n      '*' !== 'WRONG'")
    // Tests of a few milliseconds: the duration says so instead of (0.0s).
    expect(summary.split('\n')[0]).toMatch(/^5 tests: 3 passed, 2 failed, 0 skipped, 0 flaky \(\d+ms\)$/)
  })

  it('test-runner/run with node\'s own junit reporter: namesakes told apart by location, messages unsquashed', async () => {
    const command = [process.execPath, '--test', '--test-reporter=junit', '--test-reporter-destination=junit.xml']
    const { error, record } = await runFailing('run', { command, junit: 'junit.xml' })
    // node 20's junit names no file: the location from the stack trace says where each one is.
    expect(error?.message).toBe('Stage test: 2 of 5 tests failed: parse > keeps stars (test/parse.test.js:7); parse > keeps stars (test/strings.test.js:5)')
    expect(record.failures[0]?.message).toBe("Expected values to be strictly equal:\n\n'*' !== 'WRONG'")
  })
})
