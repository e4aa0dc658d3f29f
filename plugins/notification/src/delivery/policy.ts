import { durationSchema, z } from '@pipewright/plugin-api'

/** `retry:` of every channel that delivers over the network. */
export const RetryConfig = z.strictObject({
  attempts: z.number().int().min(1).max(20).default(4).describe('Attempts in all, the first included (1: no retry).'),
  'base-delay': durationSchema.default(1_000).describe('Wait after the first failed attempt; doubled after each further one.'),
  'max-delay': durationSchema.default(30_000).describe('Longest wait between two attempts (also caps Retry-After).'),
})
export type RetryConfig = z.output<typeof RetryConfig>

export const RETRY_DEFAULTS: RetryConfig = { attempts: 4, 'base-delay': 1_000, 'max-delay': 30_000 }

/** The wait after failed attempt `n` (1-based): base × 2^(n−1), at most `max-delay`; no jitter. */
export function backoffDelay(policy: RetryConfig, n: number): number {
  return Math.min(policy['max-delay'], policy['base-delay'] * 2 ** (n - 1))
}

/** A Retry-After header (seconds or an HTTP date) in ms from `now`, or undefined. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
