import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SOURCE_DEFAULT_EXCLUDE } from '../coverage-formats/scope.js'
import { resolvePackageBin } from './resolve-bin.js'
import { nodeHarnessWarning } from './runner-check.js'
import { type PresetContext, attemptDir, coverageOptions, rerunArgs } from './shared.js'
import type { AttemptPlan, TestRunner } from './types.js'

/**
 * `test-runner/node`: `node --test` with its junit reporter (and lcov for coverage) next to spec
 * output. Coverage is measured by the project's own c8 when it has one, so the figures are the
 * ones `c8 node --test` prints; otherwise by node's --experimental-test-coverage, which counts
 * every file the tests loaded, so the plugin keeps to the sources the way c8 would.
 */
export function nodeTestRunner(ctx: PresetContext): TestRunner {
  return {
    rerunsFiles: true,
    checkReport: nodeHarnessWarning,
    async plan(attempt, failingFiles) {
      const dir = await attemptDir(ctx, attempt)
      const junit = join(dir, 'junit.xml')
      const withCoverage = ctx.config.coverage !== false && attempt === 1
      const { command: base } = ctx.config
      const { include, exclude } = coverageOptions(ctx.config)
      const c8 = withCoverage ? await resolvePackageBin('c8', 'c8', ctx.workspace) : undefined
      const node = base === undefined ? [process.execPath] : Array.isArray(base) ? base : base.trim().split(/\s+/)
      const testArgs = [
        '--test',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-reporter=${junitReporter()}`,
        `--test-reporter-destination=${junit}`,
        ...(attempt === 1 ? ctx.config.args : rerunArgs(ctx.config.args, failingFiles)),
      ]
      const plan: AttemptPlan = { command: [...node, ...testArgs], junit: [junit], producedBy: "node:test with the plugin's JUnit reporter (test-runner/node)" }
      if (withCoverage && c8 !== undefined) {
        // c8 applies its own defaults and the project's c8 config; include/exclude go to it as flags.
        const reports = join(dir, 'coverage')
        plan.command = [
          process.execPath,
          c8,
          '--reporter=lcov',
          '--reporter=text-summary',
          `--reports-dir=${reports}`,
          `--temp-directory=${join(dir, 'c8-tmp')}`,
          ...(include ?? []).map((glob) => `--include=${glob}`),
          ...(exclude ?? []).map((glob) => `--exclude=${glob}`),
          ...node,
          ...testArgs,
        ]
        plan.coverage = { file: join(reports, 'lcov.info'), format: 'lcov', scope: { exclude: exclude ?? [], ...(include ? { include } : {}), chosenBy: "c8 (its default exclude list and the project's c8 config)" } }
        plan.producedBy = 'node:test under the project\'s c8 (test-runner/node)'
      } else if (withCoverage) {
        // Node 20 has no --test-coverage-exclude: its lcov lists the test files too.
        const lcov = join(dir, 'lcov.info')
        plan.command = [...node, '--experimental-test-coverage', '--test-reporter=lcov', `--test-reporter-destination=${lcov}`, ...testArgs]
        plan.coverage = { file: lcov, format: 'lcov', rounding: 'nearest', scope: { exclude: exclude ?? [...SOURCE_DEFAULT_EXCLUDE], ...(include ? { include } : {}) } }
      }
      return plan
    },
  }
}

/**
 * The plugin's node:test JUnit reporter (`reporters/node-junit.mjs`): unlike node 20's own, it names
 * each test's file and line, and keeps a failure's line breaks. Found from this module in the
 * source tree and in the built package alike.
 */
function junitReporter(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'reporters', 'node-junit.mjs')
    if (existsSync(file)) return file
    if (dirname(dir) === dir) throw new Error('reporters/node-junit.mjs is missing from @pipewright/plugin-test-runner')
  }
}
