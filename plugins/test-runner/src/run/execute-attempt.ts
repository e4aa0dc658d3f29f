import { isAbsolute, relative, resolve, sep } from 'node:path'
import { PipewrightError, type StageContext } from '@pipewright/plugin-api'
import { glob, isDynamicPattern } from 'tinyglobby'
import { readCoverage } from '../coverage-formats/parse-coverage.js'
import { fileStamp, readReportFile } from '../input-file.js'
import { parseJUnit } from '../junit/parse-junit.js'
import type { CoverageSummary, TestReport } from '../model.js'
import type { AttemptPlan } from '../presets/types.js'

/** What one execution of the test command produced. */
export interface AttemptResult {
  report: TestReport
  exitCode: number
  /** What the command printed (stdout, then stderr): some harnesses are recognised by it. */
  output: string
  coverage?: CoverageSummary
}

/** Runs one attempt's command and reads the JUnit (and coverage) files it wrote. */
export async function executeAttempt(ctx: StageContext, plan: AttemptPlan): Promise<AttemptResult> {
  const before = await stampReports(ctx.workspace, plan.junit)
  const coverageFile = plan.coverage ? resolve(ctx.workspace, plan.coverage.file) : undefined
  const coverageBefore = coverageFile ? await fileStamp(coverageFile) : undefined
  const result = await ctx.exec(plan.command, { ...(plan.env ? { env: plan.env } : {}), log: true })
  if (ctx.signal.aborted) throw new PipewrightError('PW_ERR_CANCELLED', `Stage ${ctx.stageId}: cancelled while the tests ran`)
  const after = await stampReports(ctx.workspace, plan.junit)
  // A report with the same size and mtime as before the command is a leftover, not this run's result.
  const fresh = [...after].filter(([file, stamp]) => before.get(file) !== stamp).map(([file]) => file)
  if (fresh.length === 0) throw noFreshReport(ctx, plan, before, result.exitCode)

  const report: TestReport = { suites: [], cases: [], durationMs: 0 }
  for (const file of fresh.sort()) {
    const display = displayPath(ctx.workspace, file)
    const origin = { kind: 'JUnit XML', producedBy: plan.producedBy }
    const part = parseJUnit(await readReportFile(file, origin, display), display, origin, ctx.workspace)
    report.suites.push(...part.suites)
    report.cases.push(...part.cases)
    report.durationMs += part.durationMs
    if (part.producers) report.producers = [...(report.producers ?? []), ...part.producers]
  }
  const attempt: AttemptResult = { report, exitCode: result.exitCode, output: `${result.stdout}\n${result.stderr}` }
  if (plan.coverage && coverageFile) {
    const display = displayPath(ctx.workspace, coverageFile)
    // Same rule as for the JUnit reports: percentages from an earlier run must not pass a gate now.
    if (coverageBefore !== undefined && (await fileStamp(coverageFile)) === coverageBefore) throw staleCoverage(ctx, plan, display, result.exitCode)
    attempt.coverage = await readCoverage(coverageFile, display, { producedBy: plan.producedBy }, plan.coverage.format, { scope: plan.coverage.scope, workspace: ctx.workspace, ...(plan.coverage.rounding ? { rounding: plan.coverage.rounding } : {}) })
  }
  return attempt
}

async function stampReports(workspace: string, patterns: string[]): Promise<Map<string, string>> {
  const stamps = new Map<string, string>()
  for (const pattern of patterns) {
    const files = isDynamicPattern(pattern) ? await glob(pattern, { cwd: workspace, absolute: true, dot: true }) : [resolve(workspace, pattern)]
    for (const file of files) {
      const stamp = await fileStamp(file)
      if (stamp !== undefined) stamps.set(resolve(file), stamp)
    }
  }
  return stamps
}

function staleCoverage(ctx: StageContext, plan: AttemptPlan, file: string, exitCode: number): PipewrightError {
  return new PipewrightError(
    'PW_ERR_INPUT_FILE',
    `Stage ${ctx.stageId}: Coverage file ${file} was not rewritten by ${plan.producedBy} (it ${exitedText(exitCode)}); the file there is left over from an earlier run`,
    {
      details: `Check that ${plan.producedBy} measures coverage and writes its report to exactly this path (relative to the stage's working directory); delete the old file to be sure, and see the stage log for why it was not written.`,
    },
  )
}

function exitedText(exitCode: number): string {
  return exitCode === 0 ? 'exited 0' : `exited with code ${exitCode}`
}

function noFreshReport(ctx: StageContext, plan: AttemptPlan, before: Map<string, string>, exitCode: number): PipewrightError {
  const names = plan.junit.map((p) => displayPath(ctx.workspace, resolve(ctx.workspace, p))).join(', ')
  const exited = exitedText(exitCode)
  const stale = before.size > 0
  return new PipewrightError(
    'PW_ERR_INPUT_FILE',
    stale
      ? `Stage ${ctx.stageId}: JUnit XML file ${names} was not rewritten by ${plan.producedBy} (it ${exited}); the file there is left over from an earlier run`
      : `Stage ${ctx.stageId}: JUnit XML file ${names} does not exist: it should have been written by ${plan.producedBy}, which ${exited}`,
    {
      details: `Check that ${plan.producedBy} writes JUnit XML to exactly this path (relative to the stage's working directory) and see the stage log for why it did not.`,
    },
  )
}

/** Paths in messages and records: relative to the workspace when inside it. */
export function displayPath(workspace: string, file: string): string {
  const rel = relative(workspace, file)
  return (rel.startsWith('..') || isAbsolute(rel) ? file : rel).split(sep).join('/')
}
