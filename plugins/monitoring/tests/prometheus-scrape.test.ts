import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMetricsService, type MetricsService } from './helpers/metrics-service.js'
import { startMonitor, trackTimers } from './helpers/monitor.js'

// monitoring/prometheus without a server: reads a real prom-client /metrics endpoint directly.
let service: MetricsService

beforeAll(async () => {
  service = await startMetricsService()
  service.record(200, 0.02, 90)
  service.record(500, 0.3, 10)
  service.inFlight.set(3)
})
afterAll(() => service.close())

describe('monitoring/prometheus reading /metrics directly', () => {
  it('reads gauges, counters by label, histogram counts and buckets through simple selectors', async () => {
    const m = await startMonitor('prometheus', {
      metrics: `${service.url}/metrics`,
      values: {
        'in-flight': 'demo_in_flight',
        errors: 'demo_http_requests_total{code=~"5.."}',
        requests: 'demo_http_requests_total',
        count: 'demo_http_request_duration_seconds_count',
        'slow-count': 'demo_http_request_duration_seconds_count{code="500"}',
        fast: 'demo_http_request_duration_seconds_bucket{le="0.05"}',
        'slow-sum': { selector: 'demo_http_request_duration_seconds_sum{code=~"5.."}', aggregate: 'max' },
        codes: { selector: 'demo_http_requests_total', aggregate: 'count' },
      },
    })
    const [s] = await m.take(1)
    await m.handle.stop()
    // Labelled histogram series keep their labels, sums and counts (see parseExposition).
    expect(s).toMatchObject({ healthy: true, values: { 'in-flight': 3, errors: 10, requests: 100, count: 100, 'slow-count': 10, fast: 90, codes: 2 } })
    expect(s!.values['slow-sum']).toBeCloseTo(3, 9)
  })

  it('computes counter rates between two scrapes: the first scrape is a baseline', async () => {
    const m = await startMonitor('prometheus', {
      metrics: `${service.url}/metrics`,
      interval: '200ms',
      values: { 'error-rate': { selector: 'demo_http_requests_total{code="500"}', rate: true }, total: 'demo_http_requests_total' },
      thresholds: { 'error-rate': { max: 0 } },
    })
    const quiet = await m.next()
    expect(quiet).toMatchObject({ healthy: true, values: { 'error-rate': 0 } })
    service.record(500, 0.4, 20)
    const failing = await m.next()
    await m.handle.stop()
    expect(failing!.healthy).toBe(false)
    expect(failing!.values['error-rate']).toBeGreaterThan(0)
    expect(failing!.reason).toMatch(/^error-rate=[\d.]+ above max 0; total=\d+$/)
  })

  it('reads a rate of a counter that has no series yet as 0: no such errors so far', async () => {
    const m = await startMonitor('prometheus', {
      metrics: `${service.url}/metrics`,
      interval: '100ms',
      values: { 'teapots': { selector: 'demo_http_requests_total{code="418"}', rate: true }, gauge: 'demo_http_requests_total{code="418"}' },
      thresholds: { teapots: { max: 0 } },
    })
    const [s] = await m.take(1)
    await m.handle.stop()
    expect(s).toMatchObject({ healthy: true, values: { teapots: 0 } })
    expect(s!.reason).toBe('teapots=0 (max 0); gauge: no series matches demo_http_requests_total{code="418"}')
  })

  it('judges thresholds and says which value broke one', async () => {
    const m = await startMonitor('prometheus', {
      metrics: `${service.url}/metrics`,
      values: { 'in-flight': 'demo_in_flight', ghost: 'no_such_metric' },
      thresholds: { 'in-flight': { max: 2 } },
    })
    const [s] = await m.take(1)
    await m.handle.stop()
    expect(s).toEqual({ at: expect.any(Number), healthy: false, values: { 'in-flight': 3 }, reason: 'in-flight=3 above max 2; ghost: no series matches no_such_metric' })
  })

  it('reports a broken exporter as an unhealthy sample, then recovers with a new baseline', async () => {
    const m = await startMonitor('prometheus', {
      metrics: `${service.url}/metrics`,
      interval: '100ms',
      values: { rate: { selector: 'demo_http_requests_total', rate: true } },
    })
    await m.next()
    service.breakMetrics(true)
    const broken = await m.next()
    service.breakMetrics(false)
    const recovered = await m.next()
    await m.handle.stop()
    expect(broken).toMatchObject({ healthy: false, values: {} })
    expect(broken!.reason).toMatch(/^scrape of http:\/\/127\.0\.0\.1:\d+\/metrics failed: answered 500$/)
    expect(recovered).toMatchObject({ healthy: true, values: { rate: expect.any(Number) } })
  })

  it('stops mid-wait without leaving a timer', async () => {
    const timers = trackTimers()
    try {
      const m = await startMonitor('prometheus', { metrics: `${service.url}/metrics`, interval: '1h', values: { x: 'demo_in_flight' } })
      await m.take(1)
      const next = m.next()
      await new Promise((r) => setTimeout(r, 20))
      expect(timers.pending()).toBe(1)
      await m.handle.stop()
      expect(await next).toBeUndefined()
      expect(timers.pending()).toBe(0)
    } finally {
      timers.restore()
    }
  })
})
