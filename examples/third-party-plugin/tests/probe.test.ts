import { afterEach, describe, expect, it } from 'vitest'
import { createFakeClock, createStageContext } from '@pipewright/testing'
import { probeConfigSchema, type PluginConfig } from '../src/config.js'
import { probe } from '../src/probe.js'
import { startServer, type TestServer } from './http-server.js'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const pluginConfig: PluginConfig = { headers: { 'user-agent': 'pipewright-test' } }

describe('http-check/probe', () => {
  it('succeeds when the endpoint answers with the expected status and text, and sets outputs', async () => {
    server = await startServer((req, res) => res.end(`ok ${req.headers['user-agent']}`))
    const ctx = createStageContext<PluginConfig>({ pluginConfig, stageId: 'smoke' })
    await probe(ctx, probeConfigSchema.parse({ url: `${server.url}/health`, contains: 'ok pipewright-test' }))
    expect(ctx.captured.outputs).toMatchObject({ status: '200', attempts: '1', url: `${server.url}/health` })
    expect(Number(ctx.captured.outputs.latencyMs)).toBeGreaterThanOrEqual(0)
    expect(ctx.captured.summary).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/health → 200/)
  })

  it('retries on the clock until the endpoint is up', async () => {
    server = await startServer((_req, res, n) => {
      res.statusCode = n < 3 ? 503 : 200
      res.end()
    })
    const clock = createFakeClock({ start: 0, auto: true })
    const ctx = createStageContext<PluginConfig>({ pluginConfig, clock })
    await probe(ctx, probeConfigSchema.parse({ url: server.url, interval: '5s', timeout: '1m' }))
    expect(ctx.captured.outputs.attempts).toBe('3')
    expect(clock.now()).toBe(10_000)
    expect(ctx.captured.log()).toContain('attempt 1: GET')
    expect(ctx.captured.log()).toContain('answered 503, expected 200')
  })

  it('fails after the timeout with the stage, URL and last problem, and no query string', async () => {
    server = await startServer((_req, res) => res.end('starting'))
    const clock = createFakeClock({ start: 0, auto: true })
    const ctx = createStageContext<PluginConfig>({ pluginConfig, clock, stageId: 'wait-up' })
    const config = probeConfigSchema.parse({ url: `${server.url}/?token=hunter2`, contains: 'ready', interval: '1s', timeout: '3s' })
    const error = await probe(ctx, config).catch((e: Error & { code?: string }) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_STAGE_FAILED' })
    expect(error?.message).toMatch(/^Stage wait-up \(http-check\/probe\): GET http:\/\/127\.0\.0\.1:\d+\/ answered 200 without "ready" in the body after 4 attempt\(s\)/)
    expect(error?.message).not.toContain('hunter2')
    expect(server.requests).toHaveLength(4)
  })

  it('reports a refused connection', async () => {
    server = await startServer((_req, res) => res.end())
    const url = server.url
    await server.close()
    server = undefined
    const ctx = createStageContext<PluginConfig>({ pluginConfig, clock: createFakeClock({ auto: true }) })
    await expect(probe(ctx, probeConfigSchema.parse({ url, timeout: '0s' }))).rejects.toThrow(/failed: ECONNREFUSED after 1 attempt/)
  })

  it('rejects invalid configuration with the field path', () => {
    const result = probeConfigSchema.safeParse({ url: 'ftp://example.com', interval: 'soon' })
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['interval', 'url'])
  })
})
