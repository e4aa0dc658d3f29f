import type { Reporter, SerializedError, TestModule } from 'vitest/node'

/**
 * CI reads one plain closing line: "N passed, N failed, N skipped". A failure outside a test
 * (a file that does not load, a failing beforeAll/afterAll hook, an unhandled error) counts as
 * one failure each, so a broken suite can never read as green.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
      failed += mod.errors().length
      for (const suite of mod.children.allSuites()) failed += suite.errors().length
    }
    failed += unhandledErrors.length
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }
}
