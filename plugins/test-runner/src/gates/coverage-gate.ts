import type { GateContext, GateResult } from '@pipewright/plugin-api'
import type { CoverageGateConfig } from '../config.js'
import { COVERAGE_METRICS, RESULTS_KIND, type CoverageMetric, type ResultsRecord } from '../model.js'
import { noResults } from './results-gate.js'

interface Shortfall {
  metric: CoverageMetric
  actual: number | null
  threshold?: number
  previous?: number
  drop?: number
}

/** `test-runner/coverage`: minimum percentages, and at most `max-drop` points lost since the last good run. */
export async function evaluateCoverage(ctx: GateContext, config: CoverageGateConfig): Promise<GateResult> {
  const current = await ctx.records.get<ResultsRecord>(RESULTS_KIND, { stageId: ctx.stage.id })
  if (current === undefined) return noResults(ctx.stage.id)
  const coverage = current.coverage
  if (coverage === undefined) {
    return {
      verdict: 'fail',
      reason: `Stage ${ctx.stage.id} measured no coverage: set \`coverage\` on the test-runner stage so there are figures to check.`,
      evidence: { stage: ctx.stage.id, coverage: null },
    }
  }

  const shortfalls: Shortfall[] = []
  for (const metric of COVERAGE_METRICS) {
    const threshold = config[metric]
    if (threshold === undefined) continue
    const actual = coverage[metric]
    if (actual === undefined || actual < threshold) shortfalls.push({ metric, actual: actual ?? null, threshold })
  }

  let baseline: { runId: string; coverage: NonNullable<ResultsRecord['coverage']> } | undefined
  if (config['max-drop'] !== undefined) {
    const branch = ctx.git?.branch
    const previous = await ctx.records.previous<ResultsRecord>(RESULTS_KIND, { stageId: ctx.stage.id, ...(branch ? { branch } : {}) })
    if (previous?.data.coverage) {
      baseline = { runId: previous.runId, coverage: previous.data.coverage }
      for (const metric of COVERAGE_METRICS) {
        const before = previous.data.coverage[metric]
        const now = coverage[metric]
        if (before === undefined || now === undefined) continue
        const drop = Math.round((before - now) * 100) / 100
        if (drop > config['max-drop']) shortfalls.push({ metric, actual: now, previous: before, drop })
      }
    }
  }

  const evidence = {
    coverage: Object.fromEntries(COVERAGE_METRICS.filter((m) => coverage[m] !== undefined).map((m) => [m, coverage[m]])),
    report: coverage.file,
    // Which files the figures count, so a reader can check they are the project's sources.
    files: coverage.files ?? null,
    thresholds: Object.fromEntries(COVERAGE_METRICS.filter((m) => config[m] !== undefined).map((m) => [m, config[m]])),
    maxDrop: config['max-drop'] ?? null,
    baseline: baseline ?? null,
    shortfalls,
  }
  if (shortfalls.length > 0) return { verdict: 'fail', reason: `Coverage is too low: ${shortfalls.map(describe).join('; ')}.`, evidence }
  const figures = COVERAGE_METRICS.filter((m) => coverage[m] !== undefined).map((m) => `${m} ${coverage[m]}%`).join(', ')
  const compared = config['max-drop'] === undefined ? '' : baseline ? `, within ${config['max-drop']} points of run ${baseline.runId}` : ', with no earlier successful run to compare with'
  return { verdict: 'pass', reason: `Coverage meets every threshold (${figures}${compared}).`, evidence }
}

function describe(s: Shortfall): string {
  if (s.drop !== undefined) return `${s.metric} fell ${s.drop} points (from ${s.previous}% to ${s.actual}%)`
  if (s.actual === null) return `${s.metric} is not in the coverage report but must be at least ${s.threshold}%`
  return `${s.metric} ${s.actual}% is below ${s.threshold}%`
}
