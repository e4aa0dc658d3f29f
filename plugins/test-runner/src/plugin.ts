import { definePlugin } from '@pipewright/plugin-api'
import { coverageGateSchema, presetConfigSchema, resultsGateSchema, runConfigSchema, type PresetConfig } from './config.js'
import { RESULTS_KIND } from './model.js'
import { evaluateCoverage } from './gates/coverage-gate.js'
import { evaluateResults } from './gates/results-gate.js'
import { genericRunner } from './presets/generic.js'
import { jestRunner } from './presets/jest.js'
import { nodeTestRunner } from './presets/node.js'
import type { PresetContext } from './presets/shared.js'
import type { TestRunner } from './presets/types.js'
import { vitestRunner } from './presets/vitest.js'
import { runTests } from './run/run-tests.js'

const OUTPUTS = ['total', 'passed', 'failed', 'skipped', 'flaky', 'duration', 'coverage-lines', 'coverage-branches', 'coverage-functions', 'coverage-statements']

const PRESETS: Record<string, { runner: (ctx: PresetContext) => TestRunner; description: string }> = {
  vitest: { runner: vitestRunner, description: 'Runs vitest with its JUnit (and coverage) reporters set up.' },
  jest: { runner: jestRunner, description: 'Runs jest with jest-junit (and coverage) set up.' },
  node: { runner: nodeTestRunner, description: 'Runs node --test with its junit (and lcov) reporters set up.' },
}

/** The test-runner plugin: test stages that parse JUnit and coverage, detect flaky tests, and gate on results. */
export const testRunnerPlugin = definePlugin({
  id: 'test-runner',
  apiVersion: 1,
  version: '0.1.0',
  description: 'Run tests, parse JUnit and coverage reports, detect flaky tests, gate on results and coverage.',
  register(api) {
    api.stage('run', {
      description: 'Runs any test command that writes JUnit XML, and reports its results.',
      configSchema: runConfigSchema,
      outputs: OUTPUTS,
      records: [RESULTS_KIND],
      run: async (ctx, config) => {
        await runTests(ctx, genericRunner(config), config)
      },
    })
    for (const [name, preset] of Object.entries(PRESETS)) {
      api.stage<PresetConfig>(name, {
        description: preset.description,
        configSchema: presetConfigSchema,
        outputs: OUTPUTS,
        records: [RESULTS_KIND],
        run: async (ctx, config) => {
          await runTests(ctx, preset.runner({ workspace: ctx.workspace, stageId: ctx.stageId, config }), config)
        },
      })
    }
    api.gate('results', {
      description: 'Fails on too many failing or flaky tests, or on failures new since the last good run.',
      configSchema: resultsGateSchema,
      reads: [RESULTS_KIND],
      evaluate: evaluateResults,
    })
    api.gate('coverage', {
      description: 'Fails when coverage is below thresholds or fell too far since the last good run.',
      configSchema: coverageGateSchema,
      reads: [RESULTS_KIND],
      evaluate: evaluateCoverage,
    })
  },
})
