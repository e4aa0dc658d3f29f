import { describe, expect, it } from 'vitest'
import type { TestCase, TestReport } from '../model.js'
import { nodeHarnessWarning, producerWarning } from './runner-check.js'

const tc = (name: string, file: string, extra: Partial<TestCase> = {}): TestCase => ({ id: name, name, file, status: 'passed', durationMs: 1, ...extra })
const report = (cases: TestCase[], producers?: string[]): TestReport => ({ suites: [], cases, durationMs: 1, ...(producers ? { producers } : {}) })

describe('producerWarning', () => {
  it('names the writer of a report the preset did not set up', () => {
    expect(producerWarning(report([], ['vitest tests']), 'vitest tests', 'vitest')).toBeUndefined()
    expect(producerWarning(report([]), 'vitest tests', 'vitest')).toBeUndefined()
    expect(producerWarning(report([], ['Mocha Tests']), 'vitest tests', 'vitest')).toBe(
      'The JUnit report was not written by vitest (its root is named "Mocha Tests", vitest names it "vitest tests"): check that `command` starts vitest, or use test-runner/run for another tool.',
    )
  })
})

describe('nodeHarnessWarning', () => {
  it('is quiet for node:test tests', () => {
    expect(nodeHarnessWarning(report([tc('math > adds', 'test/a.test.js')], ['node:test']), '')).toBeUndefined()
  })

  it('names the files that ran as one test when only some did', () => {
    const warning = nodeHarnessWarning(report([tc('math > adds', 'test/a.test.js'), tc('test/legacy.js', 'test/legacy.js')], ['node:test']), '')
    expect(warning).toBe(
      '1 of the test files ran as a single test each (test/legacy.js): they declare no node:test test. node:test counts such a file as one test; run that harness through test-runner/run with its JUnit reporter (the test-runner README shows tape, mocha and ava).',
    )
  })
})
