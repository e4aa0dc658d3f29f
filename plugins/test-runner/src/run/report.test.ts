import { describe, expect, it } from 'vitest'
import type { ResultsRecord } from '../model.js'
import { summaryText } from './report.js'

const record = (failures: number): ResultsRecord => ({
  total: Math.max(failures, 1),
  passed: failures === 0 ? 1 : 0,
  failed: failures,
  skipped: 0,
  flaky: 0,
  durationMs: 1500,
  attempts: 1,
  suites: [],
  failures: Array.from({ length: failures }, (_, i) => ({ id: `t${i}`, file: 'a.test.js', line: i + 1 })),
  flakyTests: [],
})

describe('summaryText', () => {
  it('speaks of one test in the singular', () => {
    expect(summaryText(record(0), new Map(), 0)).toBe('1 test: 1 passed, 0 failed, 0 skipped, 0 flaky (1.5s)')
    expect(summaryText(record(11), new Map(), 0).split('\n').at(-1)).toBe('  … and 1 more failing test')
    expect(summaryText(record(12), new Map(), 0).split('\n').at(-1)).toBe('  … and 2 more failing tests')
  })
})
