import { CLOCK, type Clock, type MonitorContext, type MonitorHandle, type MonitorSample } from '@pipewright/plugin-api'

/** One observation without its time: the sampler stamps `at` with the engine's clock. */
export type Observation = Omit<MonitorSample, 'at'>

export interface SamplingOptions {
  /** Time between the starts of two probes (a slow probe is followed by the next one at once). */
  intervalMs: number
  /**
   * Takes one observation. It must not throw for a failed probe (that is an unhealthy observation
   * with a reason); `undefined` means "nothing to report yet" (a baseline scrape), so no sample.
   * `signal` aborts when the monitor stops.
   */
  probe(signal: AbortSignal): Promise<Observation | undefined>
}

/**
 * Turns a probe into a monitor handle: the first probe runs when the engine asks for the first
 * sample, then one per interval. `stop()` and `ctx.signal` both end it — an in-flight probe is
 * aborted, a pending wait is cancelled, the iterator finishes — and `stop()` resolves once
 * nothing of it is left running (no timer, no request).
 */
export function sampleEvery(ctx: MonitorContext, options: SamplingOptions): MonitorHandle {
  const clock = ctx.resolve(CLOCK)
  const controller = new AbortController()
  const { signal } = controller
  const onCancel = () => controller.abort(ctx.signal.reason)
  if (ctx.signal.aborted) controller.abort(ctx.signal.reason)
  else ctx.signal.addEventListener('abort', onCancel, { once: true })
  let settled: Promise<void> = Promise.resolve()

  async function* samples(): AsyncGenerator<MonitorSample> {
    let due = clock.now()
    try {
      while (!signal.aborted) {
        const wait = due - clock.now()
        if (wait > 0 && !(await sleep(clock, wait, signal))) return
        const startedAt = clock.now()
        due = startedAt + options.intervalMs
        const step = options.probe(signal)
        settled = step.then(() => undefined, () => undefined)
        const observation = await step
        if (signal.aborted) return
        // Reasons quote URLs and answers: mask the run's secrets before the engine sees them.
        if (observation) yield { at: startedAt, ...observation, ...(observation.reason === undefined ? {} : { reason: ctx.redact(observation.reason) }) }
      }
    } finally {
      ctx.signal.removeEventListener('abort', onCancel)
    }
  }

  return {
    samples: samples(),
    async stop() {
      controller.abort(new Error('monitor stopped'))
      ctx.signal.removeEventListener('abort', onCancel)
      await settled
    },
  }
}

// One child signal per wait: the clock may leave its abort listener behind, and a monitor that
// runs for days must not pile them up on its own signal.
async function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  const wait = new AbortController()
  const onAbort = () => wait.abort(signal.reason)
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    await clock.sleep(ms, wait.signal)
    return !signal.aborted
  } catch {
    return false
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
