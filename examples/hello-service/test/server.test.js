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
