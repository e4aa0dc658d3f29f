import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type TestServer } from './helpers/http-server.js'
import { startMonitor, trackTimers } from './helpers/monitor.js'

// A real service on 127.0.0.1: /healthz answers per `state`, /slow never answers.
let server: TestServer
let state: { status: number; body: string } = { status: 200, body: '{"status":"ok","version":"1.4.2"}' }

beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url?.startsWith('/slow')) return
    res.writeHead(state.status, { 'content-type': 'application/json' })
    res.end(state.body)
  })
})
afterAll(() => server.close())

describe('monitoring/http against a real server', () => {
  it('samples status and latency; healthy on an expected status', async () => {
    state = { status: 200, body: '{"status":"ok"}' }
    const m = await startMonitor('http', { url: `${server.url}/healthz`, interval: '100ms' })
    const [a, b] = await m.take(2)
    await m.handle.stop()
    expect(a).toMatchObject({ healthy: true, values: { status: 200, latencyMs: expect.any(Number) } })
    expect(a!.reason).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/healthz answered 200 in \d+ ms$/)
    expect(b!.at).toBeGreaterThan(a!.at)
    expect(server.requests.filter((r) => r.url === '/healthz').length).toBeGreaterThanOrEqual(2)
  })

  it('is unhealthy on an unexpected status, and honours an expected-status set', async () => {
    state = { status: 503, body: 'maintenance' }
    const strict = await startMonitor('http', { url: `${server.url}/healthz` })
    const [bad] = await strict.take(1)
    await strict.handle.stop()
    expect(bad).toMatchObject({ healthy: false, values: { status: 503 } })
    expect(bad!.reason).toMatch(/answered 503 in \d+ ms \(expected 2xx\)$/)

    const lenient = await startMonitor('http', { url: `${server.url}/healthz`, 'expected-status': [200, 503] })
    const [fine] = await lenient.take(1)
    await lenient.handle.stop()
    expect(fine).toMatchObject({ healthy: true, values: { status: 503 } })
  })

  it('matches the body by substring and by regular expression', async () => {
    state = { status: 200, body: '{"status":"degraded","version":"1.4.2"}' }
    const contains = await startMonitor('http', { url: `${server.url}/healthz`, 'body-contains': '"status":"ok"' })
    const [a] = await contains.take(1)
    await contains.handle.stop()
    expect(a).toMatchObject({ healthy: false, values: { status: 200 } })
    expect(a!.reason).toContain('answered 200 but its body does not contain "\\"status\\":\\"ok\\""')

    const matches = await startMonitor('http', { url: `${server.url}/healthz`, 'body-matches': '"version":"1\\.4\\.\\d+"' })
    const [b] = await matches.take(1)
    await matches.handle.stop()
    expect(b).toMatchObject({ healthy: true })
  })

  it('never throws on a refused connection: the sample is unhealthy, status 0, with the reason', async () => {
    const closed = await startServer(() => {})
    const url = `${closed.url}/healthz?token=q-secret-1`
    await closed.close()
    const m = await startMonitor('http', { url })
    const [s] = await m.take(1)
    await m.handle.stop()
    expect(s).toMatchObject({ healthy: false, values: { status: 0 } })
    expect(s!.reason).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/healthz failed: .*ECONNREFUSED/)
    expect(s!.reason).not.toContain('q-secret-1')
  })

  it('times out a probe that gets no answer', async () => {
    const m = await startMonitor('http', { url: `${server.url}/slow`, timeout: '150ms' })
    const [s] = await m.take(1)
    await m.handle.stop()
    expect(s).toMatchObject({ healthy: false, values: { status: 0 } })
    expect(s!.reason).toMatch(/\/slow failed: timed out after 150 ms$/)
  })

  it('stops in the middle of a probe and of a wait, leaving no timer behind', async () => {
    const timers = trackTimers()
    try {
      const hanging = await startMonitor('http', { url: `${server.url}/slow`, timeout: '1h', interval: '1h' })
      const pending = hanging.next()
      await new Promise((r) => setTimeout(r, 50))
      expect(timers.pending()).toBe(1) // the probe's time-out
      await hanging.handle.stop()
      expect(await pending).toBeUndefined()
      expect(timers.pending()).toBe(0)

      state = { status: 200, body: 'ok' }
      const waiting = await startMonitor('http', { url: `${server.url}/healthz`, interval: '1h' })
      await waiting.take(1)
      const next = waiting.next()
      await new Promise((r) => setTimeout(r, 20))
      expect(timers.pending()).toBe(1) // the wait for the next probe
      await waiting.handle.stop()
      expect(await next).toBeUndefined()
      expect(timers.pending()).toBe(0)
    } finally {
      timers.restore()
    }
  })

  it('ends when the run is cancelled', async () => {
    const run = new AbortController()
    state = { status: 200, body: 'ok' }
    const m = await startMonitor('http', { url: `${server.url}/healthz`, interval: '1h' }, { signal: run.signal })
    await m.take(1)
    const next = m.next()
    run.abort()
    expect(await next).toBeUndefined()
  })

  it('masks secrets that reach the URL through interpolation', async () => {
    state = { status: 500, body: '' }
    const m = await startMonitor('http', { url: `${server.url}/healthz/hook-7f3a9c2e` }, { secrets: { HOOK: 'hook-7f3a9c2e' } })
    const [s] = await m.take(1)
    await m.handle.stop()
    expect(s!.reason).not.toContain('hook-7f3a9c2e')
    expect(s!.reason).toContain('/healthz/')
  })

  it('sends the configured headers', async () => {
    state = { status: 200, body: 'ok' }
    const m = await startMonitor('http', { url: `${server.url}/healthz?h`, headers: { authorization: 'Bearer t0k' } })
    await m.take(1)
    await m.handle.stop()
    expect(server.requests.findLast((r) => r.url === '/healthz?h')?.headers.authorization).toBe('Bearer t0k')
  })
})
