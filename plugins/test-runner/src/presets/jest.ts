import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type PresetContext, attemptDir, coverageOptions, runnerCommand, runnerScope, withoutFileFilters } from './shared.js'
import { producerWarning } from './runner-check.js'
import type { AttemptPlan, TestRunner } from './types.js'

const require = createRequire(import.meta.url)

/**
 * `test-runner/jest`: jest has no JUnit reporter of its own, so the plugin brings jest-junit and
 * passes it by absolute path (the project need not install it). Names are shaped like vitest's:
 * class name = test file, test name = `describe > test`.
 */
export function jestRunner(ctx: PresetContext): TestRunner {
  return {
    rerunsFiles: true,
    checkReport: (report) => producerWarning(report, 'jest tests', 'jest'),
    async plan(attempt, failingFiles) {
      const dir = await attemptDir(ctx, attempt)
      const junit = join(dir, 'junit.xml')
      const withCoverage = ctx.config.coverage !== false && attempt === 1
      const { include } = coverageOptions(ctx.config)
      const command = [
        ...(await runnerCommand(ctx, 'jest', 'jest')),
        '--ci',
        '--reporters=default',
        `--reporters=${require.resolve('jest-junit')}`,
        ...(withCoverage
          ? [
              '--coverage',
              '--coverageReporters=text-summary',
              '--coverageReporters=json-summary',
              `--coverageDirectory=${join(dir, 'coverage')}`,
              // jest takes globs for the files to count; `exclude` is applied to its report by the plugin.
              ...(include ?? []).map((glob) => `--collectCoverageFrom=${glob}`),
            ]
          : []),
        // The files go before the user's options: yargs lets an array option such as
        // `--selectProjects legacy` swallow the positional arguments that follow it.
        ...(attempt === 1 || failingFiles === undefined ? ctx.config.args : ['--runTestsByPath', ...failingFiles, ...withoutFileFilters(ctx.config.args)]),
      ]
      const plan: AttemptPlan = {
        command,
        env: {
          JEST_JUNIT_OUTPUT_FILE: junit,
          // The root's name, which tells the plugin the report is jest-junit's (a project's config may rename it).
          JEST_SUITE_NAME: 'jest tests',
          JEST_JUNIT_ADD_FILE_ATTRIBUTE: 'true',
          JEST_JUNIT_REPORT_TEST_SUITE_ERRORS: 'true',
          JEST_JUNIT_SUITE_NAME: '{filepath}',
          JEST_JUNIT_CLASSNAME: '{filepath}',
          JEST_JUNIT_TITLE: '{classname} > {title}',
          JEST_JUNIT_ANCESTOR_SEPARATOR: ' > ',
        },
        junit: [junit],
        producedBy: 'jest with the jest-junit reporter (test-runner/jest)',
      }
      if (withCoverage) plan.coverage = { file: join(dir, 'coverage', 'coverage-summary.json'), format: 'istanbul', scope: runnerScope(ctx.config, 'jest') }
      return plan
    },
  }
}
