import { riskPlugin } from './plugin.js'

export default riskPlugin
export { riskPlugin }
export { ASSESSMENT_RECORD } from './plugin.js'
export type { AssessmentRecord } from './plugin.js'
export { scoreRisk } from './score.js'
export type { RiskAssessment, RiskFactor, RiskInputs } from './score.js'
export { assessConfigSchema, DEFAULT_SENSITIVE_PATHS } from './config.js'
export type { AssessConfig } from './config.js'
export { globToRegExp } from './glob.js'
