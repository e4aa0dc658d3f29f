import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMetricsService, type MetricsService } from './helpers/metrics-service.js'
import { startMonitor } from './helpers/monitor.js'
import { startPrometheus, type PrometheusServer } from './helpers/prometheus.js'

// A real Prometheus (Debian's package; `bash tools/services/up.sh` installs it) scraping a real
// prom-client service every second; monitoring/prometheus evaluates PromQL against it.
let service: MetricsService
let prometheus: PrometheusServer

const ERROR_RATIO = 'sum(demo_http_requests_total{code=~"5.."}) / sum(demo_http_requests_total)'
const P95 = 'histogram_quantile(0.95, sum by (le) (demo_http_request_duration_seconds_bucket))'

beforeAll(async () => {
  service = await startMetricsService()
  service.record(200, 0.03, 98)
  service.record(500, 0.04, 2)
  prometheus = await startPrometheus([new URL(service.url).host])
  await prometheus.waitForSeries('demo_http_requests_total{job="app"}')
  // rate() needs two scrapes inside its window.
  await prometheus.waitForSeries('rate(demo_http_requests_total[5s])')
})
afterAll(async () => {
  await prometheus?.stop()
  await service?.close()
})

describe('monitoring/prometheus against a real Prometheus server', () => {
  it('evaluates each named PromQL query and judges it against its threshold', async () => {
    const m = await startMonitor('prometheus', {
      server: prometheus.url,
      queries: { 'error-ratio': ERROR_RATIO, 'p95-latency': P95, up: 'up{job="app"}', rate: 'sum(rate(demo_http_requests_total[5s]))' },
      thresholds: { 'error-ratio': { max: 0.05 }, 'p95-latency': { max: 0.25 }, up: { min: 1 } },
    })
    const [s] = await m.take(1)
    await m.handle.stop()
    expect(s!.healthy, s!.reason).toBe(true)
    expect(s!.values).toMatchObject({ 'error-ratio': 0.02, up: 1, rate: expect.any(Number) })
    // Every request fell in the first bucket (le 0.05): histogram_quantile interpolates 0.95 × 0.05.
    expect(s!.values['p95-latency']).toBeCloseTo(0.0475, 6)
    expect(s!.reason).toContain('error-ratio=0.02 (max 0.05)')
  })

  it('turns unhealthy once the service starts failing, naming the value', async () => {
    const m = await startMonitor('prometheus', {
      server: prometheus.url,
      interval: '250ms',
      queries: { 'error-ratio': ERROR_RATIO },
      thresholds: { 'error-ratio': { max: 0.05 } },
    })
    expect((await m.next())!.healthy).toBe(true)
    service.record(500, 0.6, 60)
    // Prometheus sees it at its next scrape (1 s): allow a few samples.
    const bad = await m.until((s) => !s.healthy, 40)
    await m.handle.stop()
    expect(bad.values['error-ratio']).toBeCloseTo(62 / 160, 5)
    expect(bad.reason).toMatch(/^error-ratio=0\.3875 above max 0\.05$/)
  })

  it('makes a rejected query, an empty result and several series unhealthy samples, never errors', async () => {
    const m = await startMonitor('prometheus', {
      server: prometheus.url,
      queries: { broken: 'sum(rate(demo_http_requests_total[5s]', none: 'demo_http_requests_total{code="418"}', many: 'demo_http_requests_total' },
      thresholds: { none: { max: 1 } },
    })
    const [rejected] = await m.take(1)
    await m.handle.stop()
    expect(rejected).toMatchObject({ healthy: false, values: {} })
    expect(rejected!.reason).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:\d+\/ could not answer: broken: .*parse error/)

    const n = await startMonitor('prometheus', {
      server: prometheus.url,
      queries: {
        none: 'demo_http_requests_total{code="418"}',
        many: 'demo_http_requests_total',
        range: 'up[5s]',
        scalar: 'scalar(sum(demo_http_requests_total{code="200"}))',
      },
      thresholds: { none: { max: 1 } },
    })
    const [empty] = await n.take(1)
    await n.handle.stop()
    expect(empty).toEqual({
      at: expect.any(Number),
      healthy: false,
      values: { scalar: 98 },
      reason: 'none: no data (the query returned no series); many: the query returned 2 series; aggregate them to one (sum, max, …); '
        + 'range: the query returned a range vector; wrap it in a function such as rate() or avg_over_time(); scalar=98',
    })
  })

  it('reports an unreachable server as an unhealthy sample', async () => {
    const m = await startMonitor('prometheus', { server: 'http://127.0.0.1:1', queries: { up: 'up' }, timeout: '2s' })
    const [s] = await m.take(1)
    await m.handle.stop()
    expect(s).toMatchObject({ healthy: false, values: {} })
    expect(s!.reason).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:1\/ could not answer: up: .*ECONNREFUSED/)
  })
})
