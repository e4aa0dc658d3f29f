import type { StageDefinition } from '@pipewright/plugin-api'
import { inspectPlugin } from '@pipewright/testing'
import { describe, expect, it } from 'vitest'
import plugin, { RESULTS_KIND, type ResultsRecord } from '../src/index.js'
import { testStage } from './helpers/context.js'
import { binOf, copyFixture } from './helpers/fixtures.js'

const { stages } = await inspectPlugin(plugin)

async function runStage(type: string, fixture: string, config: (dir: string) => Record<string, unknown>) {
  const dir = copyFixture(fixture)
  const stage = stages[type] as StageDefinition<unknown>
  const ctx = testStage({ workspace: dir })
  const error = await Promise.resolve()
    .then(() => stage.run(ctx, stage.configSchema!.parse(config(dir))))
    .then(() => undefined, (e: unknown) => e as Error)
  return { ctx, error, record: (await ctx.records.get<ResultsRecord>(RESULTS_KIND))! }
}

/** `node <bin of pkg>`, quoted for the shell string a user writes in `command:` (there: `npx <bin>`). */
const sh = (dir: string, pkg: string, bin?: string) => `${JSON.stringify(process.execPath)} ${JSON.stringify(binOf(dir, pkg, bin))}`

// tape-project: 2 files of tape tests, 7 assertions by tape's own count.
describe('a project whose tests use another harness', () => {
  it('test-runner/node on tape files says each file ran as one test, and what tape counted', async () => {
    const { ctx, error, record } = await runStage('node', 'tape-project', () => ({ args: ['test/'] }))
    expect(error).toBeUndefined()
    expect(record).toMatchObject({ total: 2, passed: 2 })
    const warning =
      'Each of the 2 test files ran as a single test: they declare no node:test test and print TAP, as tape does (7 assertions by their own count). node:test counts such a file as one test; run that harness through test-runner/run with its JUnit reporter (the test-runner README shows tape, mocha and ava).'
    expect(record.runnerWarning).toBe(warning)
    expect(ctx.captured.summary).toContain(`\n  WARNING ${warning}`)
    expect(ctx.captured.lines.some((l) => l.level === 'warn' && l.line.includes('Each of the 2 test files ran as a single test'))).toBe(true)
  })

  it('test-runner/node on mocha files says they use globals node:test does not define', async () => {
    const { record } = await runStage('node', 'mocha-project', () => ({ args: ['test/'] }))
    expect(record.runnerWarning).toMatch(/^Each of the 1 test file ran as a single test: they use test globals node:test does not define/)
  })
})

// The README's examples for test-runner/run, run for real (the README writes `npx tape` where this writes node + the bin).
describe('other harnesses through test-runner/run with their JUnit reporters', () => {
  it('tape | tap-junit: one test per assertion, as tape counts them', async () => {
    const { error, record } = await runStage('run', 'tape-project', (dir) => ({
      command: `${sh(dir, 'tape')} 'test/*.js' | ${sh(dir, 'tap-junit')} --output reports --name junit.xml`,
      junit: 'reports/junit.xml',
    }))
    expect(error).toBeUndefined()
    expect(record).toMatchObject({ total: 7, passed: 7, failed: 0 })
    expect(record.runnerWarning).toBeUndefined()
  })

  it('mocha with mocha-junit-reporter: suite > test, the file, the message with its line breaks', async () => {
    const { error, record } = await runStage('run', 'mocha-project', (dir) => ({
      command: [process.execPath, binOf(dir, 'mocha'), '--reporter', 'mocha-junit-reporter', '--reporter-option', 'mochaFile=reports/junit.xml', 'test/**/*.spec.js'],
      junit: 'reports/junit.xml',
    }))
    expect(error?.message).toBe('Stage test: 1 of 2 tests failed: math > multiplies wrongly (test/math.spec.js:5)')
    expect(record.failures[0]?.message).toBe('Expected values to be strictly equal:\n\n6 !== 7')
  })

  it('ava --tap | tap-junit', async () => {
    const { error, record } = await runStage('run', 'ava-project', (dir) => ({
      command: `${sh(dir, 'ava', 'ava')} --tap | ${sh(dir, 'tap-junit')} --output reports --name junit.xml`,
      junit: 'reports/junit.xml',
    }))
    expect(error?.message).toBe('Stage test: 1 of 2 tests failed: Tap-Junit-Suite > multiplies wrongly')
    expect(record).toMatchObject({ total: 2, passed: 1, failed: 1 })
  })
})
