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

  it('treats a Surefire flakyFailure as flaky and keeps same-named tests apart', () => {
    const merged = mergeAttempts([report(tc('x', 'passed', { flakyInReport: true }), tc('dup', 'passed'), tc('dup', 'failed'))])
    expect(merged.map((c) => [c.id, c.finalStatus])).toEqual([['x', 'flaky'], ['dup', 'passed'], ['dup #2', 'failed']])
  })
})

describe('filesOf', () => {
  it('lists the files of failing tests, or undefined when one is unknown', () => {
    expect(filesOf([tc('a', 'failed', { file: 'b.js' }), tc('b', 'failed', { file: 'a.js' }), tc('c', 'failed', { file: 'a.js' })])).toEqual(['a.js', 'b.js'])
    expect(filesOf([tc('a', 'failed', { file: 'b.js' }), tc('b', 'failed')])).toBeUndefined()
  })
})
