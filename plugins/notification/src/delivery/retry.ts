import { CLOCK, type NotifierContext } from '@pipewright/plugin-api'
import { backoffDelay, type RetryConfig } from './policy.js'

/** What one attempt gave. A failure says whether trying again can help, and may ask for a wait. */
export type AttemptOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; retry: boolean; problem: string; retryAfterMs?: number }

export interface RetryResult<T> {
  outcome: AttemptOutcome<T>
  attempts: number
}

/**
 * Runs `attempt` until it succeeds, fails for good, or `policy.attempts` are spent, waiting
 * between attempts on the engine clock (exponential back-off, or the receiver's Retry-After,
 * capped at `max-delay`). Every retry is logged. A cancelled run stops the waiting.
 */
export async function withRetries<T>(
  ctx: NotifierContext,
  policy: RetryConfig,
  label: string,
  attempt: (n: number) => Promise<AttemptOutcome<T>>,
): Promise<RetryResult<T>> {
  const clock = ctx.resolve(CLOCK)
  for (let n = 1; ; n++) {
    const outcome = await attempt(n)
    if (outcome.ok || !outcome.retry || n >= policy.attempts || ctx.signal.aborted) return { outcome, attempts: n }
    const delay = Math.min(policy['max-delay'], outcome.retryAfterMs ?? backoffDelay(policy, n))
    ctx.logger.warn(`${label}: ${outcome.problem} (attempt ${n} of ${policy.attempts}); retrying in ${delay} ms`)
    try {
      await clock.sleep(delay, ctx.signal)
    } catch {
      return { outcome, attempts: n }
    }
  }
}
