import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentClient } from '../src/index.js'
import { agentFor, cleanupHome, collect, makeRelease, processEnvironment, startLoad, tempDir, until } from './helpers.js'

describe('zero failed requests under steady load', () => {
  let root: string
  let client: AgentClient

  beforeAll(async () => {
    root = tempDir('zd')
    const started = Date.now()
    client = await agentFor(join(root, 'home'))
    console.log(`agent started in ${Date.now() - started} ms`)
  })
  afterAll(async () => {
    await cleanupHome(join(root, 'home'))
  })

  for (const strategy of ['blue-green', 'rolling'] as const) {
    it(`${strategy}: every request answered 2xx, both versions served`, async () => {
      const environment = await processEnvironment(`zd-${strategy}`, { instances: 2 })
      const first = await client.deploy({ environment, version: 'v1', source: { directory: makeRelease(root, `${strategy}-v1`) }, strategy })
      expect(first.outcome, JSON.stringify(first.error)).toBe('succeeded')

      const load = startLoad(environment.url, 4, 20)
      await until('v1 under load', () => (load.report().byVersion[`${strategy}-v1`] ?? 0) >= 200)
      const progress = collect()
      const started = Date.now()
      const second = await client.deploy({ environment, version: 'v2', source: { directory: makeRelease(root, `${strategy}-v2`) }, strategy }, progress)
      const took = Date.now() - started
      expect(second.outcome, JSON.stringify(second.error)).toBe('succeeded')
      await until('v2 under load', () => (load.report().byVersion[`${strategy}-v2`] ?? 0) >= 300)
      const report = await load.stop()
      console.log(`${strategy}: ${report.ok} requests answered, ${report.failed} failed; switch took ${took} ms`, report.byVersion)

      expect(report.failures).toEqual([])
      expect(report.failed).toBe(0)
      expect(report.byVersion[`${strategy}-v1`]).toBeGreaterThan(0)
      expect(report.byVersion[`${strategy}-v2`]).toBeGreaterThan(0)
      expect(second).toMatchObject({ kind: 'deploy', version: 'v2', previousVersion: 'v1', strategy, outcome: 'succeeded', servingVersion: 'v2' })
      expect(second.instances.map((i) => i.version)).toEqual(['v2', 'v2'])
      expect(progress.events.map((e) => e.kind)).toContain('draining')

      const status = (await client.status()).environments.find((e) => e.name === environment.name)!
      expect(status).toMatchObject({ state: 'serving', version: 'v2', previousVersion: 'v1', traffic: { stable: 100, canary: 0 } })
      expect(status.instances.map((i) => [i.version, i.state, i.healthy])).toEqual([
        ['v2', 'running', true],
        ['v2', 'running', true],
      ])
    })
  }
})
