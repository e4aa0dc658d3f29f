import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHelloServer } from '../src/server.js'

let server
let base

beforeAll(async () => {
  server = createHelloServer({ version: '2.0.1' })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${server.address().port}`
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

/** The value of one series in a Prometheus text exposition, or undefined. */
function sample(text, series) {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('hello-service /healthz and /metrics over real HTTP', () => {
  it('answers /healthz with its status and version', async () => {
    const res = await fetch(`${base}/healthz`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({ status: 'ok', version: '2.0.1' })
  })

  it('exposes request counts and latencies in the Prometheus text format', async () => {
    await fetch(`${base}/hello?name=Ada`)
    await fetch(`${base}/hello?name=Grace`)
    await fetch(`${base}/nope/123`)
    await fetch(`${base}/hello`, { method: 'POST' })
    const res = await fetch(`${base}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    expect(text).toContain('# TYPE hello_http_requests_total counter')
    expect(text).toContain('# TYPE hello_http_request_duration_seconds histogram')
    expect(sample(text, 'hello_http_requests_total{method="GET",route="/hello",code="200"}')).toBe(2)
    expect(sample(text, 'hello_http_requests_total{method="GET",route="other",code="404"}')).toBe(1)
    expect(sample(text, 'hello_http_requests_total{method="POST",route="/hello",code="405"}')).toBe(1)
    expect(sample(text, 'hello_http_request_duration_seconds_count{method="GET",route="/hello",code="200"}')).toBe(2)
    expect(sample(text, 'hello_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/hello",code="200"}')).toBe(2)
  })

  it('does not count its own scrapes, and keeps each server\'s counters apart', async () => {
    await fetch(`${base}/metrics`)
    const text = await (await fetch(`${base}/metrics`)).text()
    expect(text).not.toContain('route="/metrics"')
    const other = createHelloServer()
    await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve))
    const fresh = await (await fetch(`http://127.0.0.1:${other.address().port}/metrics`)).text()
    await new Promise((resolve) => other.close(resolve))
    expect(fresh).not.toContain('hello_http_requests_total{')
  })
})
