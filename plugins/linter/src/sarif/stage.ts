import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { StageContext, StageDefinition } from '@pipewright/plugin-api'
import { checkExit, describeCommand, runLinterCommand } from '../command.js'
import { createPathRelativizer, PROBLEMS_RECORD } from '../problems.js'
import { readJsonFile } from '../read-json.js'
import { reportProblems } from '../report.js'
import { sarifConfigSchema, type SarifConfig } from './config.js'
import { parseSarif } from './parse-sarif.js'

export async function runSarif(ctx: StageContext, config: SarifConfig): Promise<void> {
  const file = path.resolve(ctx.workspace, config.file)
  const startedAt = Date.now()
  const result = config.command === undefined ? undefined : await runLinterCommand(ctx, 'linter/sarif', config.command)
  const howToFix =
    config.command === undefined
      ? `Check \`file\` (relative to ${ctx.workspace}), or add \`command\` to run the analyzer first.`
      : `The command \`${describeCommand(config.command)}\`${result && result.exitCode !== 0 ? ` exited with code ${result.exitCode} and` : ''} should write SARIF to ${config.file}; check its output options.`
  const shownAs = `linter/sarif in stage ${ctx.stageId}: SARIF file ${config.file}`
  const data = await readJsonFile(file, shownAs, howToFix)
  if (result !== undefined && (await stat(file)).mtimeMs < startedAt - 1000) {
    // An analyzer that failed early leaves the previous run's report behind.
    ctx.logger.warn(`${config.file} was not rewritten by the command; its results may be stale`)
  }
  await reportProblems(ctx, 'sarif', parseSarif(data, shownAs, createPathRelativizer(ctx.workspace)))
  if (result !== undefined) checkExit(ctx, 'linter/sarif', result, config['fail-on-exit'])
}

export const sarifStage: StageDefinition<SarifConfig> = {
  description: 'Reads the SARIF 2.1.0 report of any analyzer (optionally running it first) and reports its results (gates judge them).',
  configSchema: sarifConfigSchema,
  outputs: ['errors', 'warnings', 'notes'],
  records: [PROBLEMS_RECORD],
  run: runSarif,
}
