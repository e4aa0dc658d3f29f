import { describe, expect, it } from 'vitest'
import { checkMatcherPattern, matchProblems, toSeverity } from './matcher.js'

describe('checkMatcherPattern', () => {
  it('accepts a pattern with a message group and known groups', () => {
    expect(checkMatcherPattern('^(?<file>[^:]+):(?<line>\\d+): (?<message>.*)$')).toBeUndefined()
  })
  it('finds groups inside alternatives that cannot match the empty string', () => {
    expect(checkMatcherPattern('^x(?<message>a)|y(?<rule>b)$')).toBeUndefined()
    expect(checkMatcherPattern('^x(?<mesage>a)$')).toMatch(/Unknown named group "mesage"/)
  })
  it('explains an invalid regular expression', () => {
    expect(checkMatcherPattern('[a-')).toMatch(/Invalid regular expression/)
  })
})

describe('toSeverity', () => {
  it.each([
    ['ERROR', 'error'],
    ['Warn', 'warning'],
    ['hint', 'note'],
    ['fancy', 'warning'],
    [undefined, 'warning'],
  ] as const)('%s → %s', (word, expected) => {
    expect(toSeverity(word, 'warning')).toBe(expected)
  })
})

describe('matchProblems', () => {
  it('skips lines with an empty message and non-numeric positions', () => {
    const problems = matchProblems('a.c:x: \nb.c:2: real\n', {
      pattern: '^(?<file>[^:]+):(?<line>[^:]+): ?(?<message>.*)$',
      defaultSeverity: 'error',
      relativize: (f) => `./${f}`,
    })
    expect(problems).toEqual([{ file: './b.c', line: 2, severity: 'error', message: 'real' }])
  })
})
