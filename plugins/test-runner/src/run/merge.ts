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
  return [...merged.values()].map((e) => {
    const flaky = (e.failed > 0 && e.passed > 0) || e.flakyInReport
    const finalStatus = flaky ? 'flaky' : e.failed > 0 ? 'failed' : e.ran > 0 ? 'passed' : 'skipped'
    // A flaky test is described by the failure it had, a failing one by its latest failure.
    const source = flaky ? (e.firstFailure ?? e.last) : e.last
    return { ...source, finalStatus, failedAttempts: e.failed }
  })
}

/**
 * Keys that tell same-named tests of one report apart across attempts (two `it('works')` in a
 * file, or the same name in two files of a report without file names). The key is internal:
 * the tests keep their own id, and people tell them apart by file and line. A test's declared
 * line is stable between attempts; without one, the n-th namesake is matched.
 */
function keyed(cases: TestCase[]): Array<[string, TestCase]> {
  const total = new Map<string, number>()
  for (const c of cases) total.set(c.id, (total.get(c.id) ?? 0) + 1)
  const seen = new Map<string, number>()
  return cases.map((c) => {
    // Declared where: the same key in every attempt, whether a rerun repeats the namesakes or not.
    if (c.file !== undefined && c.line !== undefined) return [`${c.id}\u0000${c.file}:${c.line}`, c]
    if (total.get(c.id) === 1) return [c.id, c]
    const n = (seen.get(c.id) ?? 0) + 1
    seen.set(c.id, n)
    return [`${c.id}\u0000#${n}`, c]
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
