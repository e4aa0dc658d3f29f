import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { startServer } from './http-server.js'

export interface MetricsService {
  /** Base URL; the exposition is at `${url}/metrics`. */
  url: string
  /** Counts `n` requests answered with `code`, each taking `seconds`. */
  record(code: number, seconds: number, n?: number): void
  inFlight: Gauge
  /** Makes /metrics answer 500 (a broken exporter). */
  breakMetrics(broken: boolean): void
  close(): Promise<void>
}

/**
 * A real service exporting metrics with prom-client, the way hello-service does:
 * `demo_http_requests_total{code}`, `demo_http_request_duration_seconds{code}` (histogram), `demo_in_flight`.
 */
export async function startMetricsService(): Promise<MetricsService> {
  const registry = new Registry()
  const requests = new Counter({ name: 'demo_http_requests_total', help: 'Requests by status code.', labelNames: ['code'], registers: [registry] })
  const duration = new Histogram({ name: 'demo_http_request_duration_seconds', help: 'Request latency.', labelNames: ['code'], buckets: [0.05, 0.1, 0.25, 0.5, 1], registers: [registry] })
  const inFlight = new Gauge({ name: 'demo_in_flight', help: 'Requests in flight.', registers: [registry] })
  let broken = false
  const server = await startServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end()
    if (broken) return void res.writeHead(500).end('exporter failed')
    registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType })
      res.end(text)
    }, () => res.writeHead(500).end())
  })
  return {
    url: server.url,
    record(code, seconds, n = 1) {
      for (let i = 0; i < n; i++) {
        requests.inc({ code: String(code) })
        duration.observe({ code: String(code) }, seconds)
      }
    },
    inFlight,
    breakMetrics: (value) => void (broken = value),
    close: server.close,
  }
}
