import { createFakeClock, createStageContext } from '@pipewright/testing'
import { describe, expect, it } from 'vitest'
import { sampleEvery, type Observation } from './sampling.js'

const ok: Observation = { healthy: true, values: { n: 1 }, reason: 'fine' }

describe('sampleEvery', () => {
  it('probes at once, then once per interval, stamping each sample with the engine clock', async () => {
    const clock = createFakeClock({ start: 1_000 })
    const ctx = createStageContext({ clock })
    let probes = 0
    const handle = sampleEvery(ctx, { intervalMs: 5_000, probe: async () => ({ ...ok, values: { n: ++probes } }) })
    const it = handle.samples[Symbol.asyncIterator]()
    expect(await it.next()).toEqual({ done: false, value: { at: 1_000, healthy: true, values: { n: 1 }, reason: 'fine' } })
    const second = it.next()
    await clock.advance(4_999)
    expect(probes).toBe(1)
    await clock.advance(1)
    expect((await second).value).toMatchObject({ at: 6_000, values: { n: 2 } })
    await handle.stop()
    expect(await it.next()).toEqual({ done: true, value: undefined })
    expect(clock.pending()).toBe(0)
  })

  it('ends a pending wait when stopped, and when the run is cancelled', async () => {
    const clock = createFakeClock()
    const stopped = sampleEvery(createStageContext({ clock }), { intervalMs: 60_000, probe: async () => ok })
    const a = stopped.samples[Symbol.asyncIterator]()
    await a.next()
    const waiting = a.next()
    await stopped.stop()
    expect(await waiting).toEqual({ done: true, value: undefined })

    const run = new AbortController()
    const cancelled = sampleEvery(createStageContext({ clock, signal: run.signal }), { intervalMs: 60_000, probe: async () => ok })
    const b = cancelled.samples[Symbol.asyncIterator]()
    await b.next()
    const pending = b.next()
    run.abort(new Error('run cancelled'))
    expect(await pending).toEqual({ done: true, value: undefined })
    expect(clock.pending()).toBe(0)
  })

  it('aborts an in-flight probe on stop, yields nothing from it, and resolves stop() only after it ended', async () => {
    const clock = createFakeClock()
    const events: string[] = []
    const handle = sampleEvery(createStageContext({ clock }), {
      intervalMs: 1_000,
      probe: (signal) => new Promise((resolve) => signal.addEventListener('abort', () => {
        setTimeout(() => { events.push('probe ended'); resolve(ok) }, 20)
      }, { once: true })),
    })
    const next = handle.samples[Symbol.asyncIterator]().next()
    await new Promise((r) => setImmediate(r))
    await handle.stop()
    events.push('stop resolved')
    expect(events).toEqual(['probe ended', 'stop resolved'])
    expect(await next).toEqual({ done: true, value: undefined })
  })

  it('yields nothing for a probe that has nothing to report yet (a baseline), and goes on', async () => {
    const clock = createFakeClock({ auto: true, start: 0 })
    let n = 0
    const handle = sampleEvery(createStageContext({ clock }), { intervalMs: 100, probe: async () => (n++ === 0 ? undefined : ok) })
    const first = await handle.samples[Symbol.asyncIterator]().next()
    expect(first.value).toMatchObject({ at: 100, healthy: true })
    await handle.stop()
  })

  it('masks the run\'s secrets in reasons', async () => {
    const ctx = createStageContext({ secrets: { TOKEN: 'tok-3b9f5e7a' } })
    const handle = sampleEvery(ctx, { intervalMs: 1_000, probe: async () => ({ healthy: false, values: {}, reason: 'GET http://h/tok-3b9f5e7a/health failed' }) })
    const sample = (await handle.samples[Symbol.asyncIterator]().next()).value
    expect(sample.reason).not.toContain('tok-3b9f5e7a')
    expect(sample.reason).toContain('GET http://h/')
    await handle.stop()
  })

  it('never starts when the run was cancelled before start', async () => {
    const run = new AbortController()
    run.abort()
    let probes = 0
    const handle = sampleEvery(createStageContext({ signal: run.signal }), { intervalMs: 10, probe: async () => (probes++, ok) })
    expect(await handle.samples[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined })
    expect(probes).toBe(0)
    await handle.stop()
  })
})
