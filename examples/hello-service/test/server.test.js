/* global setTimeout -- a Node global this config does not list */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHelloServer } from '../src/server.js'

let server
let base

beforeAll(async () => {
  server = createHelloServer({ version: '1.2.3' })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${server.address().port}`
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

describe('hello-service over real HTTP', () => {
  it('reports health', async () => {
    const res = await fetch(`${base}/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })
  it('greets', async () => {
    const res = await fetch(`${base}/hello?name=Grace&times=2`)
    expect(await res.json()).toEqual({ message: 'Hello, Grace! Hello, Grace!' })
  })
  it('reports its version', async () => {
    expect(await (await fetch(`${base}/version`)).json()).toEqual({ version: '1.2.3' })
  })
  it('answers 404 for unknown paths', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404)
  })
})

describe('a deliberately broken release (brokenAfterMs, the demo\'s)', () => {
  it('answers normally until brokenAfterMs has passed, then 500 everywhere but /metrics', async () => {
    const broken = createHelloServer({ version: '9.9.9', brokenAfterMs: 300 })
    await new Promise((resolve) => broken.listen(0, '127.0.0.1', resolve))
    const at = `http://127.0.0.1:${broken.address().port}`
    try {
      expect((await fetch(`${at}/healthz`)).status).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 350))
      const res = await fetch(`${at}/healthz`)
      expect(res.status).toBe(500)
      expect(await res.json()).toEqual({ error: 'broken release: the connection pool is exhausted', version: '9.9.9' })
      expect((await fetch(`${at}/metrics`)).status).toBe(200)
    } finally {
      await new Promise((resolve) => broken.close(resolve))
    }
  })
})
