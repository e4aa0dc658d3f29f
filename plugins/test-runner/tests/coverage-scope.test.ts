import { spawnSync } from 'node:child_process'
import type { GateDefinition, StageDefinition } from '@pipewright/plugin-api'
import { gateContextFor, inspectPlugin } from '@pipewright/testing'
import { describe, expect, it } from 'vitest'
import plugin, { RESULTS_KIND, type ResultsRecord } from '../src/index.js'
import { testStage } from './helpers/context.js'
import { binOf, copyFixture, printedTotals } from './helpers/fixtures.js'

const { gates, stages } = await inspectPlugin(plugin)

/** Runs a stage type on a fixture copy and returns its record. */
async function runStage(type: string, dir: string, config: Record<string, unknown>): Promise<ResultsRecord> {
  return (await runWithContext(type, dir, config)).record
}

async function runWithContext(type: string, dir: string, config: Record<string, unknown>) {
  const stage = stages[type] as StageDefinition<unknown>
  const ctx = testStage({ workspace: dir, stageId: 'unit' })
  await stage.run(ctx, stage.configSchema!.parse(config))
  const record = await ctx.records.get<ResultsRecord>(RESULTS_KIND)
  if (!record?.coverage) throw new Error(`stage ${type} recorded no coverage`)
  return { ctx, record }
}

/** Runs the project's own coverage tool the way its users do and returns what it printed. */
function toolOutput(dir: string, argv: string[]): string {
  const result = spawnSync(process.execPath, argv, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } })
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/** The per-file rows of node:test's own coverage table: `ℹ src/math.js | 84.62 | 75.00 | 66.67 | 7-8`. */
function nodeCoverageRows(output: string): Map<string, { lines: number; branches: number; functions: number }> {
  const rows = new Map<string, { lines: number; branches: number; functions: number }>()
  for (const line of output.split('\n')) {
    const cells = line.replace(/^\S+\s/, '').split('|').map((c) => c.trim())
    if (cells.length < 4 || !/^\d/.test(cells[1] ?? '')) continue
    rows.set(cells[0]!, { lines: Number(cells[1]), branches: Number(cells[2]), functions: Number(cells[3]) })
  }
  return rows
}

const figures = (c: NonNullable<ResultsRecord['coverage']>) => ({ lines: c.lines, branches: c.branches, functions: c.functions })

// The project: node:test with tests beside the sources and test data under test/; its
// own coverage tool is c8, which counts the sources only.
describe('coverage counts the project\'s sources, as its own tool does', () => {
  it('test-runner/node: the figures c8 prints for the same project', async () => {
    const dir = copyFixture('node-c8-beside')
    const c8 = printedTotals(toolOutput(dir, [binOf(dir, 'c8'), '--reporter=text', process.execPath, '--test']))
    const record = await runStage('node', dir, { coverage: true })
    expect(figures(record.coverage!)).toEqual({ lines: c8.lines, branches: c8.branches, functions: c8.functions })
    // c8 itself left the test files and test/fixtures out; the record says so.
    expect(record.coverage?.files).toMatchObject({ counted: ['src/math.js', 'src/strings.js'], chosenBy: expect.stringMatching(/^c8 /) })
  })

  it('test-runner/node without c8: node:test\'s own figures for the sources, without the test files', async () => {
    const dir = copyFixture('node-c8-beside', { without: ['c8'] })
    const { ctx, record } = await runWithContext('node', dir, { coverage: true })
    const files = { counted: ['src/math.js', 'src/strings.js'], excluded: ['src/math.test.js', 'src/strings.test.js', 'test/fixtures/people.js', 'test/people.test.js'] }
    expect(record.coverage?.files).toMatchObject(files)
    // The gate judges these figures and says which files they count.
    const gate = gates.coverage as GateDefinition<unknown>
    const verdict = await gate.evaluate(gateContextFor(ctx), gate.configSchema!.parse({ functions: 100 }))
    expect(verdict).toMatchObject({ verdict: 'fail', evidence: { files } })
    expect(verdict.reason).toBe(`Coverage is too low: functions ${record.coverage?.functions}% is below 100%.`)
    expect(ctx.captured.summary).toContain('  counted 2 files (src/math.js, src/strings.js); left out 4 (src/math.test.js, src/strings.test.js, test/fixtures/people.js, test/people.test.js)')
    // node prints one row per file: the plugin's figure for a single source is that row.
    const rows = nodeCoverageRows(toolOutput(dir, ['--test', '--experimental-test-coverage']))
    const math = await runStage('node', copyFixture('node-c8-beside', { without: ['c8'] }), { coverage: { include: ['src/math.js'] } })
    expect(figures(math.coverage!)).toEqual(rows.get('src/math.js'))
  })

  it('test-runner/node with include/exclude: the figures c8 prints with the same globs', async () => {
    const dir = copyFixture('node-c8-beside')
    const c8 = printedTotals(toolOutput(dir, [binOf(dir, 'c8'), '--reporter=text', '--exclude=src/strings.js', '--exclude=**/*.test.js', '--exclude=test/**', process.execPath, '--test']))
    const record = await runStage('node', dir, { coverage: { exclude: ['src/strings.js', '**/*.test.js', 'test/**'] } })
    expect(figures(record.coverage!)).toEqual({ lines: c8.lines, branches: c8.branches, functions: c8.functions })
    expect(record.coverage?.files?.counted).toEqual(['src/math.js'])
    const included = await runStage('node', copyFixture('node-c8-beside'), { coverage: { include: ['src/strings.js'] } })
    expect(included.coverage).toMatchObject({ lines: 100, functions: 100, files: { counted: ['src/strings.js'] } })
  })

  it('test-runner/run with c8\'s lcov: the figures c8 prints', async () => {
    const dir = copyFixture('node-c8-beside')
    const command = [process.execPath, binOf(dir, 'c8'), '--reporter=lcov', '--reporter=text', process.execPath, '--test', '--test-reporter=junit', '--test-reporter-destination=junit.xml']
    const stage = stages.run as StageDefinition<unknown>
    const ctx = testStage({ workspace: dir, stageId: 'unit' })
    await stage.run(ctx, stage.configSchema!.parse({ command, junit: 'junit.xml', coverage: 'coverage/lcov.info' }))
    const record = await ctx.records.get<ResultsRecord>(RESULTS_KIND)
    const c8 = printedTotals(ctx.captured.log())
    expect(figures(record!.coverage!)).toEqual({ lines: c8.lines, branches: c8.branches, functions: c8.functions })
    expect(record?.coverage?.files?.counted).toEqual(['src/math.js', 'src/strings.js'])
  })

  it('test-runner/vitest: the figures vitest prints, with and without exclude', async () => {
    const dir = copyFixture('vitest-coverage-beside')
    const vitest = printedTotals(toolOutput(dir, [binOf(dir, 'vitest'), 'run', '--coverage.enabled', '--coverage.reporter=text']))
    const record = await runStage('vitest', dir, { coverage: true })
    expect(figures(record.coverage!)).toEqual({ lines: vitest.lines, branches: vitest.branches, functions: vitest.functions })
    expect(record.coverage?.statements).toBe(vitest.statements)
    expect(record.coverage?.files?.counted).toEqual(['src/math.js', 'src/strings.js'])

    const narrowed = printedTotals(toolOutput(dir, [binOf(dir, 'vitest'), 'run', '--coverage.enabled', '--coverage.reporter=text', '--coverage.exclude=src/strings.js']))
    const scoped = await runStage('vitest', copyFixture('vitest-coverage-beside'), { coverage: { exclude: ['src/strings.js'] } })
    expect(figures(scoped.coverage!)).toEqual({ lines: narrowed.lines, branches: narrowed.branches, functions: narrowed.functions })
    expect(scoped.coverage?.files?.counted).toEqual(['src/math.js'])
  })
})
