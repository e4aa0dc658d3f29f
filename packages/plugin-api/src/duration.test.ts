import { describe, expect, it } from 'vitest'
import { parseDuration } from './duration.js'

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['1s', 1000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['42', 42],
    [7, 7],
  ])('parses %s', (input, ms) => {
    expect(parseDuration(input)).toBe(ms)
  })

  it.each(['', 'abc', '10x', '1s garbage', '-1s'])('rejects %j', (input) => {
    expect(parseDuration(input)).toBeUndefined()
  })
})
