import { PipewrightError, type StageContext } from '@pipewright/plugin-api'
import { RESULTS_KIND, type CoverageSummary, type ResultsRecord } from '../model.js'
import type { TestRunner } from '../presets/types.js'
import { type AttemptResult, executeAttempt } from './execute-attempt.js'
import { filesOf, mergeAttempts } from './merge.js'
import { buildRecord, countFlakes, failureMessage, recordOutputs, summaryText } from './report.js'

/** How many earlier records the flaky history looks at. */
const HISTORY_LIMIT = 50

/**
 * Runs the tests, re-runs failures up to `rerun` times, and reports: outputs, a record in the
 * store, a summary. Throws PW_ERR_STAGE_FAILED when tests still fail after the reruns.
 */
export async function runTests(ctx: StageContext, runner: TestRunner, options: { 'rerun-failed': number; 'fail-on-failures': boolean }): Promise<ResultsRecord> {
  const rerun = options['rerun-failed']
  const attempts: AttemptResult[] = []
  let failingFiles: string[] | undefined
  for (let attempt = 1; attempt <= rerun + 1; attempt++) {
    const plan = await runner.plan(attempt, failingFiles)
    const result = await executeAttempt(ctx, plan)
    attempts.push(result)
    const failing = result.report.cases.filter((c) => c.status === 'failed')
    if (failing.length === 0) {
      // Tests all passed, yet the command failed: a crash, a coverage threshold, a setup error.
      if (result.exitCode !== 0) {
        throw new PipewrightError('PW_ERR_STAGE_FAILED', `Stage ${ctx.stageId}: ${plan.producedBy} exited with code ${result.exitCode} although its JUnit report has no failing test`, {
          details: 'See the stage log: the command failed for a reason other than a failing test (coverage threshold, crash, configuration error).',
        })
      }
      break
    }
    if (attempt <= rerun) {
      failingFiles = runner.rerunsFiles ? filesOf(failing) : undefined
      ctx.logger.info(
        `${failing.length} test${failing.length === 1 ? '' : 's'} failed; re-running ${failingFiles ? failingFiles.join(', ') : 'the whole command'} (attempt ${attempt + 1} of ${rerun + 1})`,
      )
    }
  }

  const runnerWarning = runner.checkReport?.(attempts[0]!.report, attempts[0]!.output)
  if (runnerWarning) ctx.logger.warn(runnerWarning)
  const coverage = attempts.reduce<CoverageSummary | undefined>((found, a) => a.coverage ?? found, undefined)
  const record = buildRecord({
    cases: mergeAttempts(attempts.map((a) => a.report)),
    // The first attempt ran everything; reruns only repeat part of it.
    suites: attempts[0]!.report.suites,
    durationMs: attempts.reduce((sum, a) => sum + a.report.durationMs, 0),
    attempts: attempts.length,
    coverage,
    redact: ctx.redact,
  })
  if (runnerWarning) record.runnerWarning = ctx.redact(runnerWarning)

  const history = await ctx.records.history<ResultsRecord>(RESULTS_KIND, { limit: HISTORY_LIMIT })
  for (const [key, value] of Object.entries(recordOutputs(record))) ctx.outputs.set(key, value)
  await ctx.records.save(RESULTS_KIND, record)
  ctx.summary(summaryText(record, countFlakes(history), history.length))

  if (record.failed > 0 && !options['fail-on-failures']) {
    ctx.logger.warn(failureMessage(ctx.stageId, record).replace(/^Stage [^:]+: /, '') + ' (fail-on-failures is off: gates decide)')
  } else if (record.failed > 0) {
    throw new PipewrightError('PW_ERR_STAGE_FAILED', failureMessage(ctx.stageId, record), {
      details: `See the failures above and the stage log; \`pipewright show ${ctx.runId}\` lists them all.`,
    })
  }
  return record
}
