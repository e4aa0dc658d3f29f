import type { KernelHook } from '../kernel/hook-chain.js'

/**
 * The retry policy (`retry:`), last of the `afterAttempt` providers so it judges the outcome
 * plugins may have changed: a failure of a kind (or exit code) in `retry.on` is attempted again
 * after `backoff × factor^(n-1)`, until `retry.max` retries were made.
 */
export const retryHook: KernelHook = {
  name: 'retry',
  afterAttempt(stage, outcome) {
    const retry = stage.spec.retry
    if (!retry || outcome.ok || outcome.kind === 'cancelled' || stage.attempt > retry.max) return
    if (!retry.on.some((o) => o === outcome.kind || (typeof o === 'number' && o === outcome.exitCode))) return
    return { retryAfterMs: Math.round((retry.backoff ?? 0) * retry.factor ** (stage.attempt - 1)) }
  },
}
