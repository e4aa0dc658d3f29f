import { Counter, Histogram, Registry } from 'prom-client'

/** Routes the service knows; anything else is counted as `other`, so the label stays small. */
const ROUTES = new Set(['/health', '/healthz', '/hello', '/version'])

/**
 * The service's Prometheus metrics, in a registry of its own (one per server, so several servers
 * in one process — tests — never share counters):
 * `hello_http_requests_total{method,route,code}` and
 * `hello_http_request_duration_seconds{method,route,code}` (histogram).
 */
export function createMetrics() {
  const registry = new Registry()
  const labelNames = ['method', 'route', 'code']
  const requests = new Counter({ name: 'hello_http_requests_total', help: 'HTTP requests answered, by method, route and status code.', labelNames, registers: [registry] })
  const duration = new Histogram({
    name: 'hello_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route and status code.',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  return {
    registry,
    /** Starts timing a request; call the result with the status code once it is answered. */
    observe(method, pathname) {
      const end = duration.startTimer()
      const route = ROUTES.has(pathname) ? pathname : 'other'
      return (code) => {
        const labels = { method, route, code: String(code) }
        requests.inc(labels)
        end(labels)
      }
    },
  }
}
