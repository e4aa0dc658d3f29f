import { describe, expect, it } from 'vitest'
import type { TestCase, TestReport } from '../model.js'
import { filesOf, mergeAttempts } from './merge.js'

const tc = (id: string, status: TestCase['status'], extra: Partial<TestCase> = {}): TestCase => ({ id, name: id, status, durationMs: 1, ...extra })
const report = (...cases: TestCase[]): TestReport => ({ suites: [], cases, durationMs: cases.length })

describe('mergeAttempts', () => {
  it('marks tests that failed and then passed as flaky, keeping the failure message', () => {
    const merged = mergeAttempts([
      report(tc('a', 'passed'), tc('b', 'failed', { message: 'boom' }), tc('c', 'failed', { message: 'first' }), tc('d', 'skipped')),
      report(tc('b', 'passed'), tc('c', 'failed', { message: 'second' })),
    ])
    const status = Object.fromEntries(merged.map((c) => [c.id, c.finalStatus]))
    expect(status).toEqual({ a: 'passed', b: 'flaky', c: 'failed', d: 'skipped' })
    expect(merged.find((c) => c.id === 'b')?.message).toBe('boom')
    expect(merged.find((c) => c.id === 'c')).toMatchObject({ message: 'second', failedAttempts: 2 })
  })

  it('treats a Surefire flakyFailure as flaky and keeps same-named tests apart without renaming them', () => {
    const merged = mergeAttempts([report(tc('x', 'passed', { flakyInReport: true }), tc('dup', 'passed'), tc('dup', 'failed'))])
    expect(merged.map((c) => [c.id, c.finalStatus])).toEqual([['x', 'flaky'], ['dup', 'passed'], ['dup', 'failed']])
  })

  it('matches same-named tests across attempts by their declared line', () => {
    const first = tc('a.js > works', 'failed', { file: 'a.js', line: 3 })
    const second = tc('a.js > works', 'passed', { file: 'a.js', line: 9 })
    // The rerun lists them in another order; each keeps its own verdict.
    const merged = mergeAttempts([report(first, second), report({ ...second }, { ...first, status: 'passed' })])
    expect(merged.map((c) => [c.id, c.line, c.finalStatus])).toEqual([['a.js > works', 3, 'flaky'], ['a.js > works', 9, 'passed']])
  })
})

describe('filesOf', () => {
  it('lists the files of failing tests, or undefined when one is unknown', () => {
    expect(filesOf([tc('a', 'failed', { file: 'b.js' }), tc('b', 'failed', { file: 'a.js' }), tc('c', 'failed', { file: 'a.js' })])).toEqual(['a.js', 'b.js'])
    expect(filesOf([tc('a', 'failed', { file: 'b.js' }), tc('b', 'failed')])).toBeUndefined()
  })
})
