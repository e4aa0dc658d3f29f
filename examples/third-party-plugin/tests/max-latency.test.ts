import { afterEach, describe, expect, it } from 'vitest'
import { createGateContext } from '@pipewright/testing'
import { maxLatencyConfigSchema, type PluginConfig } from '../src/config.js'
import { maxLatency } from '../src/max-latency.js'
import { startServer, type TestServer } from './http-server.js'

let server: TestServer | undefined
const pluginConfig: PluginConfig = { headers: {} }
afterEach(async () => {
  await server?.close()
  server = undefined
})

// A server that answers after `delayMs`; the verdicts below need no precise timing, only that a
// 300 ms delay is over a 50 ms limit and under a 20 s one.
const slowServer = (delayMs: number) => startServer((_req, res) => setTimeout(() => res.end('ok'), delayMs))

describe('http-check/max-latency', () => {
  it('fails when a sample is slower than max, with the samples as evidence', async () => {
    server = await slowServer(300)
    const ctx = createGateContext<PluginConfig>({ pluginConfig })
    const result = await maxLatency(ctx, maxLatencyConfigSchema.parse({ url: server.url, max: '50ms', samples: 2 }))
    expect(result.verdict).toBe('fail')
    expect(result.reason).toMatch(/over the 50 ms limit/)
    expect((result.evidence as { samples: unknown[] }).samples).toHaveLength(2)
    expect((result.evidence as { worst: number }).worst).toBeGreaterThanOrEqual(300)
  })

  it("passes within the limit, measuring the gated stage's url output by default", async () => {
    server = await slowServer(0)
    const ctx = createGateContext<PluginConfig>({ pluginConfig, stage: { id: 'probe', outputs: { url: `${server.url}/ready` } } })
    const result = await maxLatency(ctx, maxLatencyConfigSchema.parse({ max: '20s' }))
    expect(result).toMatchObject({ verdict: 'pass', evidence: { max: 20_000 } })
    expect(server.requests).toEqual(['GET /ready', 'GET /ready', 'GET /ready'])
  })

  it('fails on an error status and when there is no URL at all', async () => {
    server = await startServer((_req, res) => {
      res.statusCode = 500
      res.end()
    })
    expect(await maxLatency(createGateContext<PluginConfig>({ pluginConfig }), maxLatencyConfigSchema.parse({ url: server.url, max: '1s' }))).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/answered 500/) })
    expect((await maxLatency(createGateContext<PluginConfig>({ pluginConfig }), maxLatencyConfigSchema.parse({ max: '1s' }))).reason).toMatch(/No URL to measure/)
  })
})
