import type { RunConfig } from '../config.js'
import type { AttemptPlan, TestRunner } from './types.js'

/** `test-runner/run`: the user's command, re-run whole, with the report paths they named. */
export function genericRunner(config: RunConfig): TestRunner {
  const label = Array.isArray(config.command) ? config.command.join(' ') : config.command
  const plan: AttemptPlan = {
    command: config.command,
    junit: Array.isArray(config.junit) ? config.junit : [config.junit],
    producedBy: `the command "${label}"`,
  }
  const { coverage } = config
  if (typeof coverage === 'string') plan.coverage = { file: coverage, scope: { exclude: [] } }
  else if (coverage !== undefined) {
    plan.coverage = { file: coverage.file, scope: { exclude: coverage.exclude ?? [], ...(coverage.include ? { include: coverage.include } : {}) } }
    if (coverage.format) plan.coverage.format = coverage.format
  }
  return { rerunsFiles: false, plan: async () => plan }
}
