import type { GateContext, GateDefinition, GateResult, StoredRecord } from '@pipewright/plugin-api'
import { countProblems, PROBLEMS_RECORD, type LintProblem, type ProblemsRecord } from '../problems.js'
import { maxIssuesConfigSchema, type MaxIssuesConfig } from './config.js'
import { newProblems } from './new-problems.js'

/** How many offending problems the evidence lists. */
const EVIDENCE_LIMIT = 20

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function exceeds(n: number, word: string, limit: number): string {
  return `${plural(n, word)} ${n === 1 ? 'exceeds' : 'exceed'} the limit of ${limit}`
}

export async function evaluateMaxIssues(ctx: GateContext, config: MaxIssuesConfig): Promise<GateResult> {
  const current = await ctx.records.get<ProblemsRecord>(PROBLEMS_RECORD)
  if (current === undefined) {
    return {
      verdict: 'fail',
      reason: `Stage ${ctx.stage.id} recorded no linter problems, so linter/max-issues has nothing to judge; attach it to a linter/eslint, linter/sarif or linter/run stage.`,
      evidence: { stage: ctx.stage.id, record: PROBLEMS_RECORD, found: false },
    }
  }
  const newOnly = config['new-only']
  let baseline: StoredRecord<ProblemsRecord> | undefined
  let counted: LintProblem[] = current.problems
  if (newOnly) {
    baseline = await ctx.records.previous<ProblemsRecord>(PROBLEMS_RECORD)
    // With nothing to compare against, this run becomes the baseline (as no-new-failures does):
    // otherwise a project that already has problems could never pass its first new-only gate.
    counted = baseline ? newProblems(current.problems, baseline.data.problems) : []
  }
  const counts = countProblems(counted)
  const errorsOver = counts.errors > config.errors
  const warningLimit = config.warnings
  const warningsOver = warningLimit !== undefined && counts.warnings > warningLimit
  const offending = counted.filter((p) => (errorsOver && p.severity === 'error') || (warningsOver && p.severity === 'warning'))

  const adjective = newOnly ? 'new ' : ''
  const limits = `errors ≤ ${config.errors}, warnings ${config.warnings === undefined ? 'unlimited' : `≤ ${config.warnings}`}`
  const noBaseline = newOnly && baseline === undefined ? `; no earlier successful run to compare with, so this run's ${plural(current.errors, 'error')} and ${plural(current.warnings, 'warning')} become the baseline` : ''
  let reason: string
  if (errorsOver || warningsOver) {
    const parts: string[] = []
    if (errorsOver) parts.push(exceeds(counts.errors, `${adjective}error`, config.errors))
    if (warningsOver) parts.push(exceeds(counts.warnings, `${adjective}warning`, warningLimit))
    reason = `${parts.join(' and ')}${noBaseline}.`
  } else {
    reason = `${plural(counts.errors, `${adjective}error`)} and ${plural(counts.warnings, `${adjective}warning`)} are within the limits (${limits})${noBaseline}.`
  }

  return {
    verdict: errorsOver || warningsOver ? 'fail' : 'pass',
    reason,
    evidence: {
      errors: counts.errors,
      warnings: counts.warnings,
      limits: { errors: config.errors, warnings: config.warnings ?? null },
      totals: { errors: current.errors, warnings: current.warnings, notes: current.notes },
      newOnly,
      ...(newOnly ? { baseline: baseline ? { runId: baseline.runId, sha: baseline.sha ?? null, problems: baseline.data.problems.length } : null } : {}),
      problems: offending.slice(0, EVIDENCE_LIMIT),
      omitted: Math.max(0, offending.length - EVIDENCE_LIMIT),
    },
  }
}

export const maxIssuesGate: GateDefinition<MaxIssuesConfig> = {
  description: 'Fails the stage when its linter found more errors or warnings than allowed (optionally only new ones).',
  configSchema: maxIssuesConfigSchema,
  reads: [PROBLEMS_RECORD],
  evaluate: evaluateMaxIssues,
}
