import { describe, expect, it } from 'vitest'
import type { LintProblem } from '../problems.js'
import { newProblems } from './new-problems.js'

const p = (file: string, line: number, message: string, rule = 'r'): LintProblem => ({ file, line, severity: 'error', message, rule })

describe('newProblems', () => {
  it('ignores line moves but not a changed file, rule or message', () => {
    const baseline = [p('a.js', 1, 'x'), p('b.js', 5, 'y')]
    const current = [p('a.js', 9, 'x'), p('c.js', 5, 'y'), p('b.js', 5, 'y', 'other'), p('b.js', 5, 'z')]
    expect(newProblems(current, baseline)).toEqual([p('c.js', 5, 'y'), p('b.js', 5, 'y', 'other'), p('b.js', 5, 'z')])
  })

  it('counts duplicates: a third copy of a problem seen twice is new', () => {
    const baseline = [p('a.js', 1, 'x'), p('a.js', 2, 'x')]
    expect(newProblems([p('a.js', 1, 'x'), p('a.js', 2, 'x'), p('a.js', 3, 'x')], baseline)).toEqual([p('a.js', 3, 'x')])
  })

  it('treats everything as new without a baseline', () => {
    expect(newProblems([p('a.js', 1, 'x')], [])).toHaveLength(1)
  })
})
