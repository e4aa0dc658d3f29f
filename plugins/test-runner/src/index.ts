import { testRunnerPlugin } from './plugin.js'

export default testRunnerPlugin
export { testRunnerPlugin }
export { coverageGateSchema, presetConfigSchema, resultsGateSchema, runConfigSchema } from './config.js'
export type { CoverageGateConfig, PresetConfig, ResultsGateConfig, RunConfig } from './config.js'
export { parseJUnit } from './junit/parse-junit.js'
export { detectCoverageFormat, readCoverage } from './coverage-formats/parse-coverage.js'
export { COVERAGE_METRICS, RESULTS_KIND } from './model.js'
export type {
  CaseStatus,
  CoverageFormat,
  CoverageMetric,
  CoverageSummary,
  RecordedTest,
  ResultsRecord,
  SourceLocation,
  TestCase,
  TestReport,
  TestSuite,
} from './model.js'
