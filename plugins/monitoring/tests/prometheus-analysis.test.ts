import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPipeline } from '@pipewright/testing'
import monitoring from '../src/index.js'
import { startMetricsService, type MetricsService } from './helpers/metrics-service.js'
import { startPrometheus, type PrometheusServer } from './helpers/prometheus.js'

// The engine's analysis (`success-condition` / `failure-condition` over `result`) judging PromQL
// answered by a real Prometheus (Debian's package; `bash tools/services/up.sh` installs it)
// scraping a real prom-client service every second.
let service: MetricsService
let prometheus: PrometheusServer

const ERROR_RATIO = 'sum(demo_http_requests_total{code=~"5.."}) / sum(demo_http_requests_total)'

beforeAll(async () => {
  service = await startMetricsService()
  service.record(200, 0.03, 98)
  service.record(500, 0.04, 2)
  prometheus = await startPrometheus([new URL(service.url).host])
  await prometheus.waitForSeries('demo_http_requests_total{job="app"}')
})
afterAll(async () => {
  await prometheus?.stop()
  await service?.close()
})

function pipeline(): Record<string, unknown> {
  return {
    name: 'promql-analysis',
    stages: {
      release: {
        run: 'true',
        analysis: {
          count: 2,
          interval: '300ms',
          'success-condition': 'result.up == 1',
          'failure-condition': "result['error-ratio'] > 0.05",
          monitors: [{ uses: 'monitoring/prometheus', with: { server: prometheus.url, queries: { 'error-ratio': ERROR_RATIO, up: 'up{job="app"}' } } }],
        },
      },
    },
  }
}

describe('an analysis over PromQL against a real Prometheus', () => {
  it('passes while the error ratio holds, and fails on failure-condition once the service answers 500s', async () => {
    const ok = await runPipeline({ pipeline: pipeline(), plugins: [monitoring] })
    expect(ok.result.status).toBe('succeeded')
    const [passed] = ok.eventsOf('analysis:finished')
    expect(passed).toMatchObject({ verdict: 'successful', evidence: { measurements: { successful: 2, failed: 0 } } })
    expect(passed!.evidence.samples[0]!.values).toEqual({ 'error-ratio': 0.02, up: 1 })

    service.record(500, 0.04, 30)
    await prometheus.waitForSeries(`(${ERROR_RATIO}) > 0.05`)
    const bad = await runPipeline({ pipeline: pipeline(), plugins: [monitoring] })
    expect(bad.result.status).toBe('failed')
    expect(bad.stage('release').error).toMatchObject({ code: 'PW_ERR_ANALYSIS_FAILED', message: expect.stringContaining("1 failed measurement(s), more than failure-limit 0; failure-condition: result['error-ratio'] > 0.05") })
    const [failed] = bad.eventsOf('analysis:finished')
    expect(failed!.evidence.samples[0]!.values['error-ratio']).toBeCloseTo(32 / 130, 6)
  }, 60_000)
})
