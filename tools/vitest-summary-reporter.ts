import type { Reporter, SerializedError, TestCase, TestModule } from 'vitest/node'

/** Where a skipped test says why (e.g. `describe(name, { skip, meta: { skipReason } }, fn)`). */
function skipReason(test: TestCase): string | undefined {
  const reason = (test.meta() as { skipReason?: unknown }).skipReason
  return typeof reason === 'string' && reason !== '' ? reason : undefined
}

/**
 * CI reads one plain closing line: "N passed, N failed, N skipped". A failure outside a test
 * (a file that does not load, a failing beforeAll/afterAll hook, an unhandled error) counts as
 * one failure each, so a broken suite can never read as green. Skipped tests that said why
 * (the docker plugin's, without an engine) get one line per reason just before it, and the ten
 * slowest test files (tests plus hooks, with their project) come before those: where CI time goes.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    const skippedFor = new Map<string, number>()
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else {
          skipped++
          const reason = skipReason(test)
          if (reason) skippedFor.set(reason, (skippedFor.get(reason) ?? 0) + 1)
        }
      }
      failed += mod.errors().length
      for (const suite of mod.children.allSuites()) failed += suite.errors().length
    }
    failed += unhandledErrors.length
    const slowest = [...testModules]
      .map((mod) => ({ name: `${mod.project.name}/${mod.relativeModuleId}`, ms: mod.diagnostic().duration }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10)
      .map(({ name, ms }) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}\n`)
      .join('')
    const reasons = [...skippedFor].map(([reason, n]) => `${n} skipped (${reason})\n`).join('')
    process.stdout.write(`\n${slowest ? `slowest test files:\n${slowest}` : ''}${reasons}${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }
}
