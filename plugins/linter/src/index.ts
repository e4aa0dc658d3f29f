import { linterPlugin } from './plugin.js'

export default linterPlugin
export { linterPlugin }
export { eslintConfigSchema } from './eslint/config.js'
export type { EslintConfig } from './eslint/config.js'
export { sarifConfigSchema } from './sarif/config.js'
export type { SarifConfig } from './sarif/config.js'
export { runConfigSchema } from './run/config.js'
export type { RunConfig } from './run/config.js'
export { maxIssuesConfigSchema } from './gate/config.js'
export type { MaxIssuesConfig } from './gate/config.js'
export { parseEslintReport } from './eslint/parse-eslint-json.js'
export { parseSarif } from './sarif/parse-sarif.js'
export { checkMatcherPattern, matchProblems, MATCHER_GROUPS } from './run/matcher.js'
export type { MatcherOptions } from './run/matcher.js'
export { newProblems } from './gate/new-problems.js'
export { PROBLEMS_RECORD, formatProblem } from './problems.js'
export type { LintProblem, ProblemsRecord, Severity } from './problems.js'
