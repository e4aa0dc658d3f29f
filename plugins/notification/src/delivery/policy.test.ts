import { describe, expect, it } from 'vitest'
import { RetryConfig, backoffDelay, parseRetryAfter } from './policy.js'

describe('retry policy', () => {
  it('doubles the wait after each failed attempt, up to max-delay', () => {
    const policy = RetryConfig.parse({ attempts: 6, 'base-delay': '250ms', 'max-delay': '1s' })
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n))).toEqual([250, 500, 1000, 1000, 1000])
    expect(RetryConfig.parse({})).toEqual({ attempts: 4, 'base-delay': 1000, 'max-delay': 30_000 })
  })

  it('reads Retry-After as seconds or as a date', () => {
    const now = Date.UTC(2026, 0, 1)
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000)
    expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })

  it('refuses attempts outside 1–20', () => {
    expect(RetryConfig.safeParse({ attempts: 0 }).success).toBe(false)
    expect(RetryConfig.safeParse({ attempts: 21 }).success).toBe(false)
  })
})
