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
  if (config.coverage !== undefined) plan.coverage = typeof config.coverage === 'string' ? { file: config.coverage } : config.coverage
  return { rerunsFiles: false, plan: async () => plan }
}
