import Fastify, { type FastifyInstance } from 'fastify'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// @ts-expect-error -- a plain .mjs build script without types
import { buildUi } from '../scripts/build-ui.mjs'
import { registerDashboard } from '../src/index.js'

// Real HTTP on 127.0.0.1 against a real build of the dashboard in a temp dir.
describe('registerDashboard', () => {
  let dir: string
  let built: { js: string; css: string }
  let app: FastifyInstance
  let base: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pw-dashboard-'))
    built = await buildUi(join(dir, 'ui'))
    app = Fastify()
    app.get('/api/me', async () => ({ name: 'x', role: 'viewer' }))
    await registerDashboard(app, { dir: join(dir, 'ui') })
    base = await app.listen({ host: '127.0.0.1', port: 0 })
  }, 60_000)
  afterAll(async () => {
    await app?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('serves index.html at / with a strict CSP, pointing at hashed, bundled assets (no CDN)', async () => {
    const res = await fetch(`${base}/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'")
    const html = await res.text()
    expect(html).toContain(`./assets/${built.js}`)
    expect(html).toContain(`./assets/${built.css}`)
    expect(html).not.toMatch(/https?:\/\//)
  })

  it('serves the bundle with immutable caching and answers a matching If-None-Match with 304', async () => {
    const res = await fetch(`${base}/assets/${built.js}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(res.headers.get('cache-control')).toContain('immutable')
    const body = await res.text()
    expect(body.length).toBeGreaterThan(10_000)
    expect(body).not.toMatch(/\bimport\s*["'(]https?:/)
    const again = await fetch(`${base}/assets/${built.js}`, { headers: { 'if-none-match': res.headers.get('etag')! } })
    expect(again.status).toBe(304)
  })

  it('never reads a request path from disk: unknown and traversal paths are 404', async () => {
    for (const p of ['/assets/nope.js', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e/index.html']) {
      const res = await fetch(`${base}${p}`)
      expect(res.status, p).toBe(404)
    }
    expect((await fetch(`${base}/api/me`)).status).toBe(200)
  })

  it('says how to build it when the dashboard was not built', async () => {
    const bare = Fastify()
    await registerDashboard(bare, { dir: join(dir, 'missing') })
    const url = await bare.listen({ host: '127.0.0.1', port: 0 })
    try {
      const res = await fetch(`${url}/`)
      expect(res.status).toBe(503)
      expect(await res.text()).toContain('pnpm --filter @pipewright/dashboard build')
    } finally {
      await bare.close()
    }
  })
})
