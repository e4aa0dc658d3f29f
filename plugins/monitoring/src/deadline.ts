/** The reason a request was aborted when its time ran out. */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`)
    this.name = 'DeadlineExceeded'
  }
}

/**
 * Runs `fn` with a signal that aborts when `signal` does or after `ms`. A time-out rejects with
 * `DeadlineExceeded`; the timer is cleared however `fn` ends, so a stopped monitor leaves none behind.
 */
export async function withDeadline<T>(signal: AbortSignal, ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const onAbort = () => controller.abort(signal.reason)
  if (signal.aborted) controller.abort(signal.reason)
  else signal.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded(ms)), ms)
  try {
    return await fn(controller.signal)
  } catch (error) {
    if (controller.signal.reason instanceof DeadlineExceeded) throw controller.signal.reason
    throw error
  } finally {
    clearTimeout(timer)
    signal.removeEventListener('abort', onAbort)
  }
}

/** One line for a failed request: `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1` rather than fetch's bare "fetch failed". */
export function describeFailure(error: unknown): string {
  if (error instanceof DeadlineExceeded) return error.message
  const cause = (error as { cause?: unknown } | undefined)?.cause
  const inner = cause instanceof Error ? cause : error instanceof Error ? error : undefined
  const code = (inner as { code?: string } | undefined)?.code
  const message = inner?.message ?? describeThrown(error)
  return code && !message.includes(code) ? `${code}: ${message}` : message
}

// Some clients throw plain objects ({ error, errorType }); say what they hold.
function describeThrown(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { error: text, message } = error as { error?: unknown; message?: unknown }
    if (typeof text === 'string') return text
    if (typeof message === 'string') return message
  }
  return String(error)
}
