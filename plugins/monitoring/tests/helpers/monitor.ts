import type { MonitorHandle, MonitorSample } from '@pipewright/plugin-api'
import { createStageContext, inspectPlugin, type StageContextOptions, type TestStageContext } from '@pipewright/testing'
import monitoring from '../../src/index.js'

export interface StartedMonitor {
  handle: MonitorHandle
  ctx: TestStageContext
  /** The next sample, or undefined when the monitor has ended. */
  next(): Promise<MonitorSample | undefined>
  /** The next `n` samples. */
  take(n: number): Promise<MonitorSample[]>
  /** Samples until one satisfies `until`, at most `max` of them (then throws, listing what was seen). */
  until(until: (sample: MonitorSample) => boolean, max: number): Promise<MonitorSample>
}

/**
 * Starts `monitoring/<type>` as the engine would: `with` validated by the monitor's own schema,
 * a real context (a verification stage's) with the real clock unless one is given.
 */
export async function startMonitor(type: 'http' | 'prometheus', withConfig: Record<string, unknown>, options: StageContextOptions = {}): Promise<StartedMonitor> {
  const plugin = await inspectPlugin(monitoring)
  const definition = plugin.monitors[type]
  if (!definition?.configSchema) throw new Error(`monitoring/${type} is not registered with a schema`)
  const config = definition.configSchema.parse(withConfig)
  const ctx = createStageContext({ stageId: 'verify', pipelineName: 'monitoring-test', ...options })
  const handle = await definition.start(ctx, config)
  const iterator = handle.samples[Symbol.asyncIterator]()
  const next = async () => {
    const r = await iterator.next()
    return r.done ? undefined : r.value
  }
  return {
    handle,
    ctx,
    next,
    async take(n) {
      const out: MonitorSample[] = []
      while (out.length < n) {
        const s = await next()
        if (!s) break
        out.push(s)
      }
      return out
    },
    async until(predicate, max) {
      const seen: MonitorSample[] = []
      while (seen.length < max) {
        const s = await next()
        if (!s) break
        if (predicate(s)) return s
        seen.push(s)
      }
      throw new Error(`no matching sample in ${seen.length}: ${seen.map((s) => `${s.healthy ? 'healthy' : 'unhealthy'} ${s.reason}`).join(' | ')}`)
    },
  }
}

/**
 * Counts the timers the monitor (and the clock it sleeps on) started and that have neither fired
 * nor been cleared — what a stopped monitor must not leave behind. Only timers started from this
 * plugin's or the testing kit's sources count: the test runner's own timers come and go at any
 * moment, so counting every active timer of the process would be a race.
 */
export function trackTimers(): { pending(): number; restore(): void } {
  const realSet = globalThis.setTimeout
  const realClear = globalThis.clearTimeout
  const pending = new Set<unknown>()
  const ours = /\/plugins\/monitoring\/src\/|\/packages\/testing\/src\//
  globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle = realSet((...a: unknown[]) => {
      pending.delete(handle)
      fn(...a)
    }, ms, ...args)
    if (ours.test(new Error().stack ?? '')) pending.add(handle)
    return handle
  }) as typeof setTimeout
  globalThis.clearTimeout = ((handle?: Parameters<typeof clearTimeout>[0]) => {
    pending.delete(handle)
    realClear(handle)
  }) as typeof clearTimeout
  return {
    pending: () => pending.size,
    restore() {
      globalThis.setTimeout = realSet
      globalThis.clearTimeout = realClear
    },
  }
}
