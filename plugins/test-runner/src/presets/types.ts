import type { CoverageScope, Rounding } from '../coverage-formats/scope.js'
import type { CoverageFormat, TestReport } from '../model.js'

/** One execution of the test command and the reports it leaves. */
export interface AttemptPlan {
  command: string | string[]
  env?: Record<string, string>
  /** Report paths or globs, relative to the workspace or absolute. */
  junit: string[]
  /** Read after this attempt; later attempts that have none keep the earlier figures. */
  coverage?: {
    file: string
    format?: CoverageFormat
    scope: CoverageScope
    /** `nearest` for reports of tools that round their printed figures (node:test); default istanbul's truncation. */
    rounding?: Rounding
  }
  /** Names what writes the reports, for error messages. */
  producedBy: string
}

/** Turns a stage's config into the command of each attempt. */
export interface TestRunner {
  /** Whether a rerun can be limited to the failing test files. */
  readonly rerunsFiles: boolean
  /**
   * Attempt 1 runs everything. A later attempt gets the files of the tests still failing,
   * or undefined when some failing test has no known file (then everything runs again).
   */
  plan(attempt: number, failingFiles: string[] | undefined): Promise<AttemptPlan>
  /**
   * Looks at the first attempt's report and output for signs that the tests did not run under
   * the runner the preset expects; returns a warning for the log, the summary and the record.
   */
  checkReport?(report: TestReport, output: string): string | undefined
}
