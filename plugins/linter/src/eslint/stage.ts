import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PipewrightError, type StageContext, type StageDefinition } from '@pipewright/plugin-api'
import { createPathRelativizer, PROBLEMS_RECORD } from '../problems.js'
import { readJsonFile } from '../read-json.js'
import { reportProblems } from '../report.js'
import { eslintConfigSchema, type EslintConfig } from './config.js'
import { parseEslintReport } from './parse-eslint-json.js'
import { resolveEslint } from './resolve-eslint.js'

/** eslint exits 1 when it found problems: that is a result for the gate, not a failure. */
const ESLINT_OK_EXIT_CODES = new Set([0, 1])

export async function runEslint(ctx: StageContext, config: EslintConfig): Promise<void> {
  const eslint = resolveEslint(ctx.workspace)
  const outDir = await mkdtemp(path.join(tmpdir(), 'pw-eslint-'))
  const outFile = path.join(outDir, 'report.json')
  try {
    const argv = [process.execPath, eslint.bin, '--format', 'json', '--output-file', outFile]
    if (config.config) argv.push('--config', config.config)
    if (config.fix) argv.push('--fix')
    argv.push(...config.args, ...config.paths)
    ctx.logger.info(`eslint ${eslint.version}: ${config.paths.join(' ')}`)
    const result = await ctx.exec(argv, { cwd: ctx.workspace })
    if (ctx.signal.aborted) throw new PipewrightError('PW_ERR_CANCELLED', `linter/eslint in stage ${ctx.stageId} was cancelled`)
    if (!ESLINT_OK_EXIT_CODES.has(result.exitCode)) {
      const reason = eslintFailure(result.stderr || result.stdout, ctx.redact)
      throw new PipewrightError('PW_ERR_STAGE_FAILED', `linter/eslint in stage ${ctx.stageId}: eslint exited with code ${result.exitCode}${reason ? `: ${reason}` : ''}`, {
        details: `eslint could not lint (a config error, a missing plugin or a path with no files). Reproduce with \`npx eslint ${config.paths.join(' ')}\` in ${ctx.workspace}.`,
      })
    }
    const data = await readJsonFile(outFile, `eslint's JSON report (${outFile})`, 'eslint exited without writing its report; run it by hand to see why.')
    await reportProblems(ctx, 'eslint', parseEslintReport(data, `linter/eslint in stage ${ctx.stageId}: eslint's JSON report`, createPathRelativizer(ctx.workspace)))
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

/** eslint's crash banner and stack frames say nothing to the user; the lines in between do. */
function eslintFailure(output: string, redact: (text: string) => string): string {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^Oops! Something went wrong/.test(l) && !/^ESLint: \d/.test(l) && !/^\s+at /.test(l))
  return redact(lines.slice(0, 8).join(' ').slice(0, 1000))
}

export const eslintStage: StageDefinition<EslintConfig> = {
  description: "Runs the project's own eslint and reports its problems (the stage succeeds when eslint ran; gates judge the problems).",
  configSchema: eslintConfigSchema,
  outputs: ['errors', 'warnings', 'notes'],
  records: [PROBLEMS_RECORD],
  run: runEslint,
}
