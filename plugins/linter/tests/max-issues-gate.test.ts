import { describe, expect, it } from 'vitest'
import { maxIssuesConfigSchema, runConfigSchema } from '../src/index.js'
import { evaluateMaxIssues } from '../src/gate/max-issues.js'
import { runMatcher } from '../src/run/stage.js'
import { parseConfig } from './helpers/config.js'
import { createRecordBook, gateContextFor, type RecordBook } from '@pipewright/testing'
import { lintStage } from './helpers/context.js'
import { FIXTURES } from './helpers/paths.js'

/** Runs a real `linter/run` stage whose command prints `severity file:line rule message` lines. */
async function lintRun(records: RecordBook, runId: string, lines: string[]) {
  const stage = lintStage({ workspace: FIXTURES, runId, records })
  const script = lines.map((l) => `console.log(${JSON.stringify(l)})`).join(';')
  const config = parseConfig(runConfigSchema, {
    command: ['node', '-e', script],
    pattern: String.raw`^(?<severity>\w+) (?<file>[^:]+):(?<line>\d+) (?<rule>\S+) (?<message>.+)$`,
  })
  await runMatcher(stage, config)
  return gateContextFor(stage)
}

const gate = (input: unknown) => parseConfig(maxIssuesConfigSchema, input, 'stages.lint.gates.0.with')

describe('linter/max-issues', () => {
  it('defaults to no errors allowed and unlimited warnings', async () => {
    const ctx = await lintRun(createRecordBook(), 'r1', ['warning a.js:1 w1 meh', 'warning a.js:2 w1 meh'])
    const result = await evaluateMaxIssues(ctx, gate({}))
    expect(result.verdict).toBe('pass')
    expect(result.reason).toBe('0 errors and 2 warnings are within the limits (errors ≤ 0, warnings unlimited).')
  })

  it('fails with the offending problems as evidence', async () => {
    const ctx = await lintRun(createRecordBook(), 'r1', ['error a.js:3 no-undef x is not defined', 'warning a.js:4 eqeqeq use ===', 'warning b.js:1 eqeqeq use ==='])
    const result = await evaluateMaxIssues(ctx, gate({ errors: 0, warnings: 1 }))
    expect(result.verdict).toBe('fail')
    expect(result.reason).toBe('1 error exceeds the limit of 0 and 2 warnings exceed the limit of 1.')
    expect(result.evidence).toMatchObject({
      errors: 1,
      warnings: 2,
      limits: { errors: 0, warnings: 1 },
      newOnly: false,
      omitted: 0,
      problems: [
        { file: 'a.js', line: 3, severity: 'error', rule: 'no-undef', message: 'x is not defined' },
        { file: 'a.js', line: 4, severity: 'warning', rule: 'eqeqeq' },
        { file: 'b.js', line: 1, severity: 'warning', rule: 'eqeqeq' },
      ],
    })
  })

  it('lists at most 20 offending problems and says how many were left out', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `error f${i}.js:1 r bad ${i}`)
    const result = await evaluateMaxIssues(await lintRun(createRecordBook(), 'r1', lines), gate({ errors: 3 }))
    expect(result.verdict).toBe('fail')
    expect((result.evidence as { problems: unknown[] }).problems).toHaveLength(20)
    expect(result.evidence).toMatchObject({ errors: 25, omitted: 5 })
  })

  it('with new-only, compares with the last successful run by file + rule + message (moved lines are not new)', async () => {
    const records = createRecordBook()
    await lintRun(records, 'r1', ['error a.js:3 no-undef x is not defined'])
    records.finishRun('r1', 'succeeded')
    // A failed run in between is not a baseline.
    await lintRun(records, 'r2', [])
    records.finishRun('r2', 'failed')

    const moved = await lintRun(records, 'r3', ['error a.js:30 no-undef x is not defined'])
    const pass = await evaluateMaxIssues(moved, gate({ 'new-only': true }))
    expect(pass.verdict).toBe('pass')
    expect(pass.evidence).toMatchObject({ errors: 0, totals: { errors: 1 }, baseline: { runId: 'r1', problems: 1 } })

    const added = await lintRun(records, 'r4', ['error a.js:30 no-undef x is not defined', 'error b.js:2 no-undef y is not defined'])
    const fail = await evaluateMaxIssues(added, gate({ 'new-only': true }))
    expect(fail.verdict).toBe('fail')
    expect(fail.reason).toBe('1 new error exceeds the limit of 0.')
    expect((fail.evidence as { problems: Array<{ file: string }> }).problems.map((p) => p.file)).toEqual(['b.js'])

    // Without new-only the old problem counts too.
    expect((await evaluateMaxIssues(added, gate({}))).evidence).toMatchObject({ errors: 2 })
  })

  it('with new-only and no earlier successful run, passes and makes this run the baseline', async () => {
    const ctx = await lintRun(createRecordBook(), 'r1', ['error a.js:1 r bad'])
    const result = await evaluateMaxIssues(ctx, gate({ 'new-only': true }))
    expect(result.verdict).toBe('pass')
    expect(result.reason).toBe("0 new errors and 0 new warnings are within the limits (errors ≤ 0, warnings unlimited); no earlier successful run to compare with, so this run's 1 error and 0 warnings become the baseline.")
    expect(result.evidence).toMatchObject({ baseline: null, errors: 0, totals: { errors: 1 } })
  })

  it('fails with a clear reason on a stage that recorded no problems', async () => {
    const stage = lintStage({ workspace: FIXTURES, stageId: 'build' })
    const result = await evaluateMaxIssues(gateContextFor(stage), gate({}))
    expect(result.verdict).toBe('fail')
    expect(result.reason).toMatch(/^Stage build recorded no linter problems/)
  })

  it('rejects negative thresholds at config time, naming the field', () => {
    expect(() => gate({ errors: -1 })).toThrow(/stages\.lint\.gates\.0\.with\.errors/)
  })
})
