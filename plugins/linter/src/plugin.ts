import { API_VERSION, definePlugin } from '@pipewright/plugin-api'
import { eslintStage } from './eslint/stage.js'
import { maxIssuesGate } from './gate/max-issues.js'
import { runStage } from './run/stage.js'
import { sarifStage } from './sarif/stage.js'

/**
 * The linter plugin: stages `linter/eslint`, `linter/sarif`, `linter/run` (each records its
 * problems and succeeds when the tool ran) and the gate `linter/max-issues`, which decides.
 */
export const linterPlugin = definePlugin({
  id: 'linter',
  apiVersion: API_VERSION,
  version: '0.1.0',
  description: 'eslint, SARIF and problem-matcher stages, and a gate on their problems.',
  register(api) {
    api.stage('eslint', eslintStage)
    api.stage('sarif', sarifStage)
    api.stage('run', runStage)
    api.gate('max-issues', maxIssuesGate)
  },
})
