import type { FinalCase, TestCase, TestReport } from '../model.js'

/**
 * Combines the reports of all attempts into one verdict per test: failed in every attempt it ran
 * in → `failed`; failed at least once and passed at least once → `flaky`.
 */
export function mergeAttempts(reports: TestReport[]): FinalCase[] {
  const merged = new Map<string, { last: TestCase; firstFailure?: TestCase; failed: number; passed: number; ran: number; flakyInReport: boolean }>()
  for (const report of reports) {
    for (const [key, testCase] of keyed(report.cases)) {
      const entry = merged.get(key) ?? { last: testCase, failed: 0, passed: 0, ran: 0, flakyInReport: false }
      entry.last = testCase
      if (testCase.status === 'failed') {
        entry.failed++
        entry.firstFailure ??= testCase
      }
      if (testCase.status === 'passed') entry.passed++
      if (testCase.status !== 'skipped') entry.ran++
      if (testCase.flakyInReport) entry.flakyInReport = true
      merged.set(key, entry)
    }
  }
  return [...merged].map(([key, e]) => {
    const flaky = (e.failed > 0 && e.passed > 0) || e.flakyInReport
    const finalStatus = flaky ? 'flaky' : e.failed > 0 ? 'failed' : e.ran > 0 ? 'passed' : 'skipped'
    // A flaky test is described by the failure it had, a failing one by its latest failure.
    const source = flaky ? (e.firstFailure ?? e.last) : e.last
    return { ...source, id: key, finalStatus, failedAttempts: e.failed }
  })
}

/** Gives repeated ids within one report (same name in two files of node:test) distinct keys. */
function keyed(cases: TestCase[]): Array<[string, TestCase]> {
  const seen = new Map<string, number>()
  return cases.map((c) => {
    const n = (seen.get(c.id) ?? 0) + 1
    seen.set(c.id, n)
    return [n === 1 ? c.id : `${c.id} #${n}`, c]
  })
}

/** Files of the given tests, or undefined when one has no known file (then everything must re-run). */
export function filesOf(cases: TestCase[]): string[] | undefined {
  const files = new Set<string>()
  for (const c of cases) {
    if (c.file === undefined) return undefined
    files.add(c.file)
  }
  return [...files].sort()
}
