import type { GateContext, GateResult } from '@pipewright/plugin-api'
import type { ResultsGateConfig } from '../config.js'
import { RESULTS_KIND, type RecordedTest, type ResultsRecord } from '../model.js'
import { where } from '../run/report.js'

/** `test-runner/results`: failures within bounds, and (optionally) none that are new on this branch. */
export async function evaluateResults(ctx: GateContext, config: ResultsGateConfig): Promise<GateResult> {
  const current = await ctx.records.get<ResultsRecord>(RESULTS_KIND, { stageId: ctx.stage.id })
  if (current === undefined) return noResults(ctx.stage.id)

  const problems: string[] = []
  let baselineNote = ''
  const evidence: Record<string, unknown> = {
    total: current.total,
    failed: current.failed,
    flaky: current.flaky,
    maxFailures: config['max-failures'],
    failures: current.failures.slice(0, 20),
  }
  if (current.failed > config['max-failures']) problems.push(`${tests(current.failed)} failed where at most ${config['max-failures']} may`)
  if (config['max-flaky'] !== undefined) {
    evidence.maxFlaky = config['max-flaky']
    evidence.flakyTests = current.flakyTests.slice(0, 20)
    if (current.flaky > config['max-flaky']) problems.push(`${tests(current.flaky)} ${current.flaky === 1 ? 'was' : 'were'} flaky where at most ${config['max-flaky']} may`)
  }
  if (config['no-new-failures']) {
    const branch = ctx.git?.branch
    const previous = await ctx.records.previous<ResultsRecord>(RESULTS_KIND, { stageId: ctx.stage.id, ...(branch ? { branch } : {}) })
    evidence.baseline = previous ? { runId: previous.runId, branch: previous.branch, failed: previous.data.failed } : null
    // Without a successful run to compare with, this run becomes the baseline: nothing is "new" yet.
    if (previous) {
      const known = new Set(previous.data.failures.map((f) => f.id))
      const fresh = current.failures.filter((f) => !known.has(f.id))
      evidence.newFailures = fresh
      if (fresh.length > 0) problems.push(`${describe(fresh)} ${fresh.length === 1 ? 'fails' : 'fail'} now but did not in run ${previous.runId}`)
    } else {
      baselineNote = ', no earlier successful run to compare with'
    }
  }

  if (problems.length > 0) return { verdict: 'fail', reason: `${capitalize(problems.join('; '))}.`, evidence }
  const failing = current.failed === 0 ? 'no test failed' : `${current.failed} failing ${current.failed === 1 ? 'test is' : 'tests are'} within the allowed ${config['max-failures']}`
  return { verdict: 'pass', reason: `${capitalize(failing)} (${current.total} tests, ${current.flaky} flaky${baselineNote}).`, evidence }
}

function tests(count: number): string {
  return `${count} ${count === 1 ? 'test' : 'tests'}`
}

function describe(tests: RecordedTest[]): string {
  const named = tests.slice(0, 3).map((t) => `"${t.id}"${where(t)}`).join(', ')
  return tests.length > 3 ? `${named} and ${tests.length - 3} more` : named
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

export function noResults(stageId: string): GateResult {
  return {
    verdict: 'fail',
    reason: `Stage ${stageId} recorded no test results, so there is nothing to judge: attach this gate to a test-runner stage.`,
    evidence: { stage: stageId, record: null },
  }
}
