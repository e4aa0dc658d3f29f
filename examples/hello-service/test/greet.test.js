import { describe, expect, it } from 'vitest'
import { greet, parseCount } from '../src/greet.js'

describe('greet', () => {
  it('greets by name', () => expect(greet('Ada')).toBe('Hello, Ada!'))
  it('falls back to world', () => expect(greet('  ')).toBe('Hello, world!'))
  it('truncates long names', () => expect(greet('x'.repeat(100))).toBe(`Hello, ${'x'.repeat(64)}!`))
})

describe('parseCount', () => {
  it('accepts 1..100', () => expect(parseCount('3')).toBe(3))
  it('rejects junk', () => expect(parseCount('abc', 2)).toBe(2))
  it('rejects out of range', () => expect(parseCount('1000')).toBe(1))
})
