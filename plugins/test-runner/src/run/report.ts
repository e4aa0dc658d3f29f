import { COVERAGE_METRICS, type CoverageFiles, type CoverageSummary, type FinalCase, type RecordedTest, type ResultsRecord, type TestSuite } from '../model.js'

const MESSAGE_LIMIT = 500
/** How many counted (and excluded) coverage files a record lists. */
const FILE_LIMIT = 1000

/** The record kept in the store for a stage's results. */
export function buildRecord(input: {
  cases: FinalCase[]
  suites: TestSuite[]
  durationMs: number
  attempts: number
  coverage: CoverageSummary | undefined
  redact: (text: string) => string
}): ResultsRecord {
  const { cases, redact } = input
  const count = (status: FinalCase['finalStatus']) => cases.filter((c) => c.finalStatus === status).length
  const toRecorded = (c: FinalCase): RecordedTest => {
    const r: RecordedTest = { id: redact(c.id) }
    const file = c.location?.file ?? c.file
    if (file !== undefined) r.file = redact(file)
    if (c.location?.line !== undefined) r.line = c.location.line
    if (c.message !== undefined) r.message = redact(c.message.slice(0, MESSAGE_LIMIT))
    return r
  }
  const record: ResultsRecord = {
    total: cases.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    flaky: count('flaky'),
    durationMs: input.durationMs,
    attempts: input.attempts,
    suites: input.suites.map((s) => ({ ...s, name: redact(s.name) })),
    failures: cases.filter((c) => c.finalStatus === 'failed').map(toRecorded),
    flakyTests: cases.filter((c) => c.finalStatus === 'flaky').map(toRecorded),
  }
  if (input.coverage) {
    const { source, files, ...percentages } = input.coverage
    record.coverage = { ...percentages, file: source.file, format: source.format }
    if (files) record.coverage.files = { ...files, counted: files.counted.slice(0, FILE_LIMIT).map(redact), excluded: files.excluded.slice(0, FILE_LIMIT).map(redact) }
  }
  return record
}

/** Stage outputs: counts, duration in milliseconds, coverage percentages when measured. */
export function recordOutputs(record: ResultsRecord): Record<string, number> {
  const outputs: Record<string, number> = {
    total: record.total,
    passed: record.passed,
    failed: record.failed,
    skipped: record.skipped,
    flaky: record.flaky,
    duration: record.durationMs,
  }
  for (const metric of COVERAGE_METRICS) {
    const value = record.coverage?.[metric]
    if (value !== undefined) outputs[`coverage-${metric}`] = value
  }
  return outputs
}

/** `file:line`, or just the file, for a recorded test. */
export function where(test: RecordedTest): string {
  return test.file === undefined ? '' : ` (${test.file}${test.line === undefined ? '' : `:${test.line}`})`
}

/** How often each test flaked in earlier records, by test id. */
export function countFlakes(history: Array<{ data: ResultsRecord }>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const entry of history) for (const t of entry.data?.flakyTests ?? []) counts.set(t.id, (counts.get(t.id) ?? 0) + 1)
  return counts
}

/** The text `pipewright show` prints for the stage. */
export function summaryText(record: ResultsRecord, flakesBefore: Map<string, number>, runsBefore: number): string {
  const lines = [
    `${record.total} test${record.total === 1 ? '' : 's'}: ${record.passed} passed, ${record.failed} failed, ${record.skipped} skipped, ${record.flaky} flaky (${formatDuration(record.durationMs)}${record.attempts > 1 ? `, ${record.attempts} attempts` : ''})`,
  ]
  if (record.runnerWarning) lines.push(`  WARNING ${record.runnerWarning}`)
  for (const f of record.failures.slice(0, 10)) lines.push(`  FAILED ${f.id}${where(f)}${f.message ? `: ${indented(f.message)}` : ''}`)
  if (record.failures.length > 10) lines.push(`  … and ${record.failures.length - 10} more failing test${record.failures.length === 11 ? '' : 's'}`)
  for (const t of record.flakyTests) {
    const before = flakesBefore.get(t.id) ?? 0
    lines.push(`  FLAKY ${t.id}${where(t)}: ${before === 0 ? 'first time flaky' : `flaked ${before} time${before === 1 ? '' : 's'} in the previous ${runsBefore} recorded runs`}`)
  }
  const c = record.coverage
  if (c) {
    const figures = COVERAGE_METRICS.filter((m) => c[m] !== undefined).map((m) => `${m} ${c[m]}%`)
    lines.push(`Coverage: ${figures.join(', ')} (${c.file})`)
    if (c.files) lines.push(`  ${coverageFilesText(c.files)}`)
  }
  return lines.join('\n')
}

/** The stage's error message: how many failed and the first few of them. */
export function failureMessage(stageId: string, record: ResultsRecord): string {
  const first = record.failures.slice(0, 5).map((f) => `${f.id}${where(f)}`)
  const more = record.failures.length > first.length ? `, and ${record.failures.length - first.length} more` : ''
  const retried = record.attempts > 1 ? ` after ${record.attempts} attempts` : ''
  return `Stage ${stageId}: ${record.failed} of ${record.total} tests failed${retried}: ${first.join('; ')}${more}`
}

/** `counted 2 files (src/a.js, src/b.js); left out 3 (src/a.test.js, …)`: what the figures cover. */
export function coverageFilesText(files: CoverageFiles): string {
  const list = (names: string[]) => (names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')}, …`)
  const counted = `counted ${files.counted.length} file${files.counted.length === 1 ? '' : 's'} (${list(files.counted)})`
  const chosen = files.chosenBy ? ` as chosen by ${files.chosenBy}` : ''
  return files.excluded.length === 0 ? `${counted}${chosen}` : `${counted}${chosen}; left out ${files.excluded.length} (${list(files.excluded)})`
}

/** `42ms` under a tenth of a second (where `0.0s` would say nothing), else `1.5s`. */
export function formatDuration(ms: number): string {
  return ms < 100 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`
}

/** A multi-line message under its `FAILED …:` line, each further line indented. */
function indented(message: string): string {
  return message
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : `      ${line}`))
    .join('\n')
}
