import type { StageContext, StageDefinition } from '@pipewright/plugin-api'
import { checkExit, runLinterCommand } from '../command.js'
import { createPathRelativizer, PROBLEMS_RECORD } from '../problems.js'
import { reportProblems } from '../report.js'
import { runConfigSchema, type RunConfig } from './config.js'
import { matchProblems } from './matcher.js'

export async function runMatcher(ctx: StageContext, config: RunConfig): Promise<void> {
  const result = await runLinterCommand(ctx, 'linter/run', config.command)
  const output = config.stream === 'stdout' ? result.stdout : config.stream === 'stderr' ? result.stderr : `${result.stdout}\n${result.stderr}`
  const problems = matchProblems(output, {
    pattern: config.pattern,
    defaultSeverity: config['default-severity'],
    relativize: createPathRelativizer(ctx.workspace),
  })
  await reportProblems(ctx, 'run', problems)
  checkExit(ctx, 'linter/run', result, config['fail-on-exit'])
}

export const runStage: StageDefinition<RunConfig> = {
  description: 'Runs any command and turns output lines matching a pattern into problems (gates judge them).',
  configSchema: runConfigSchema,
  outputs: ['errors', 'warnings', 'notes'],
  records: [PROBLEMS_RECORD],
  run: runMatcher,
}
