import { join } from 'node:path'
import { type PresetContext, attemptDir, coverageOptions, rerunArgs, runnerCommand, runnerScope } from './shared.js'
import { producerWarning } from './runner-check.js'
import type { AttemptPlan, TestRunner } from './types.js'

/** `test-runner/vitest`: vitest's own junit reporter; coverage through its json-summary reporter. */
export function vitestRunner(ctx: PresetContext): TestRunner {
  return {
    rerunsFiles: true,
    checkReport: (report) => producerWarning(report, 'vitest tests', 'vitest'),
    async plan(attempt, failingFiles) {
      const dir = await attemptDir(ctx, attempt)
      const junit = join(dir, 'junit.xml')
      const base = await runnerCommand(ctx, 'vitest', 'vitest')
      const withCoverage = ctx.config.coverage !== false && attempt === 1
      const { include, exclude } = coverageOptions(ctx.config)
      const command = [
        ...base,
        ...(base.at(-1) === 'run' ? [] : ['run']),
        '--reporter=default',
        '--reporter=junit',
        `--outputFile.junit=${junit}`,
        // Coverage of a partial rerun would understate it: only the full first run measures.
        ...(withCoverage
          ? ['--coverage.enabled', '--coverage.reportOnFailure', '--coverage.reporter=text-summary', '--coverage.reporter=json-summary', `--coverage.reportsDirectory=${join(dir, 'coverage')}`,
              // vitest prints its own summary for the same files the plugin counts.
              ...(include ?? []).map((glob) => `--coverage.include=${glob}`),
              ...(exclude ?? []).map((glob) => `--coverage.exclude=${glob}`),
            ]
          : []),
        ...(attempt === 1 ? ctx.config.args : rerunArgs(ctx.config.args, failingFiles)),
      ]
      const plan: AttemptPlan = { command, junit: [junit], producedBy: 'the vitest junit reporter (test-runner/vitest)' }
      if (withCoverage) plan.coverage = { file: join(dir, 'coverage', 'coverage-summary.json'), format: 'istanbul', scope: runnerScope(ctx.config, 'vitest') }
      return plan
    },
  }
}
