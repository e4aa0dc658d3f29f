import { createServer } from 'node:http'
import { greet, parseCount } from './greet.js'

/** The service: GET /health, GET /hello?name=…&times=…, GET /version. */
export function createHelloServer({ version = process.env.APP_VERSION ?? 'dev' } = {}) {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.method !== 'GET') return send(405, { error: 'method not allowed' })
    if (url.pathname === '/health') return send(200, { status: 'ok' })
    if (url.pathname === '/version') return send(200, { version })
    if (url.pathname === '/hello') {
      const times = parseCount(url.searchParams.get('times'))
      return send(200, { message: Array(times).fill(greet(url.searchParams.get('name'))).join(' ') })
    }
    return send(404, { error: 'not found' })
  })
}
