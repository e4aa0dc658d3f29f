import { join } from 'node:path'
import { type PresetContext, attemptDir, rerunArgs } from './shared.js'
import type { AttemptPlan, TestRunner } from './types.js'

/** `test-runner/node`: `node --test` with its junit reporter (and lcov for coverage) next to spec output. */
export function nodeTestRunner(ctx: PresetContext): TestRunner {
  return {
    rerunsFiles: true,
    async plan(attempt, failingFiles) {
      const dir = await attemptDir(ctx, attempt)
      const junit = join(dir, 'junit.xml')
      const lcov = join(dir, 'lcov.info')
      const withCoverage = ctx.config.coverage && attempt === 1
      const { command: base } = ctx.config
      const command = [
        ...(base === undefined ? [process.execPath] : Array.isArray(base) ? base : base.trim().split(/\s+/)),
        '--test',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=junit',
        `--test-reporter-destination=${junit}`,
        ...(withCoverage ? ['--experimental-test-coverage', '--test-reporter=lcov', `--test-reporter-destination=${lcov}`] : []),
        ...(attempt === 1 ? ctx.config.args : rerunArgs(ctx.config.args, failingFiles)),
      ]
      const plan: AttemptPlan = { command, junit: [junit], producedBy: 'the node:test junit reporter (test-runner/node)' }
      if (withCoverage) plan.coverage = { file: lcov, format: 'lcov' }
      return plan
    },
  }
}
