/** Where a failure happened, relative to the workspace when the file is inside it. */
export interface SourceLocation {
  file: string
  line?: number
}

export type CaseStatus = 'passed' | 'failed' | 'skipped'

/** One `<testcase>` of one JUnit report. */
export interface TestCase {
  /** Stable identity across runs: suite path, class name and test name joined by ` > `. */
  id: string
  name: string
  classname?: string
  /** The test file, when the report names it (attribute, class name that is a path, or stack frame). */
  file?: string
  /** The line the test is declared at, when the report says (tells same-named tests apart). */
  line?: number
  status: CaseStatus
  durationMs: number
  /** The failure or error message as the tool wrote it, line breaks kept (no stack trace). */
  message?: string
  location?: SourceLocation
  /** Surefire's own rerun (`<flakyFailure>`) already saw this test fail and then pass. */
  flakyInReport?: boolean
}

export interface TestSuite {
  name: string
  tests: number
  failures: number
  skipped: number
  durationMs: number
}

/** Everything one execution of the test command reported. */
export interface TestReport {
  suites: TestSuite[]
  cases: TestCase[]
  durationMs: number
  /** The `name` of the root `<testsuites>`, which some writers set (`vitest tests`, `jest tests`, `node:test`). */
  producers?: string[]
}

export type FinalStatus = CaseStatus | 'flaky'

/** A test after all attempts: `flaky` failed at least once and passed at least once. */
export interface FinalCase extends TestCase {
  finalStatus: FinalStatus
  /** Attempts in which the test failed. */
  failedAttempts: number
}

export interface CoverageSummary {
  lines?: number
  branches?: number
  functions?: number
  statements?: number
  /** What produced the numbers: the format and the file. */
  source: { format: CoverageFormat; file: string }
  /** Which files the figures count, when the report lists files (workspace-relative paths). */
  files?: CoverageFiles
}

/** The files behind the coverage figures: those counted, and those left out by `include`/`exclude`. */
export interface CoverageFiles {
  counted: string[]
  excluded: string[]
  /** The globs that decided, so a reader can tell why a file is missing. */
  include?: string[]
  exclude: string[]
  /** The runner that already chose the files before the report was written (c8, vitest, jest), if any. */
  chosenBy?: string
}

/** Covered and total items of one metric (lines, branches …) in one file or a whole report. */
export interface Counts {
  covered: number
  total: number
}

/** One file of a coverage report. `pct` is the tool's own figure, when the report has one. */
export interface FileCoverage {
  file: string
  metrics: Partial<Record<CoverageMetric, Counts & { pct?: number }>>
}

export type CoverageFormat = 'istanbul' | 'lcov' | 'cobertura'

export const COVERAGE_METRICS = ['lines', 'branches', 'functions', 'statements'] as const
export type CoverageMetric = (typeof COVERAGE_METRICS)[number]

/** A failing or flaky test as kept in the store; same-named tests differ by `file`/`line`. */
export interface RecordedTest {
  id: string
  file?: string
  line?: number
  message?: string
}

/** What `test-runner.results` records hold; gates and later runs read it back. */
export interface ResultsRecord {
  total: number
  passed: number
  failed: number
  skipped: number
  flaky: number
  durationMs: number
  attempts: number
  suites: TestSuite[]
  failures: RecordedTest[]
  flakyTests: RecordedTest[]
  coverage?: Omit<CoverageSummary, 'source'> & { file: string; format: CoverageFormat }
  /** Set when the report does not look like it came from the runner the preset expects. */
  runnerWarning?: string
}

export const RESULTS_KIND = 'test-runner.results'
