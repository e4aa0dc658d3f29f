import { createServer } from 'node:http'
import { greet, parseCount } from './greet.js'
import { createMetrics } from './metrics.js'

/**
 * The service: GET /health and /healthz (liveness, with the version), GET /hello?name=…&times=…,
 * GET /version, GET /metrics (Prometheus text format; requests to it are not counted).
 * `brokenAfterMs` makes a deliberately broken release for the demo: once that long has passed
 * since start, every path but /metrics answers 500.
 */
export function createHelloServer({ version = process.env.APP_VERSION ?? 'dev', brokenAfterMs } = {}) {
  const metrics = createMetrics()
  const started = Date.now()
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (req.method === 'GET' && url.pathname === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable'),
      )
      return
    }
    const done = metrics.observe(req.method ?? 'GET', url.pathname)
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
      done(status)
    }
    if (brokenAfterMs !== undefined && Date.now() - started >= brokenAfterMs) return send(500, { error: 'broken release: the connection pool is exhausted', version })
    if (req.method !== 'GET') return send(405, { error: 'method not allowed' })
    if (url.pathname === '/health') return send(200, { status: 'ok' })
    if (url.pathname === '/healthz') return send(200, { status: 'ok', version })
    if (url.pathname === '/version') return send(200, { version })
    if (url.pathname === '/hello') {
      const times = parseCount(url.searchParams.get('times'))
      return send(200, { message: Array(times).fill(greet(url.searchParams.get('name'))).join(' ') })
    }
    return send(404, { error: 'not found' })
  })
}
