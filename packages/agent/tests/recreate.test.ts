import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentClient, EnvironmentInput } from '../src/index.js'
import { agentFor, cleanupHome, collect, get, makeRelease, processEnvironment, tempDir } from './helpers.js'

describe('recreate', () => {
  let root: string
  let client: AgentClient
  let environment: EnvironmentInput

  beforeAll(async () => {
    root = tempDir('rc')
    client = await agentFor(join(root, 'home'))
    environment = await processEnvironment('recreate', { instances: 2, health: { path: '/healthz', intervalMs: 100, startupTimeoutMs: 3_000 } })
    expect((await client.deploy({ environment, version: 'v1', source: { directory: makeRelease(root, 'v1') }, strategy: 'recreate' })).outcome).toBe('succeeded')
  })
  afterAll(async () => {
    await cleanupHome(join(root, 'home'))
  })

  it('stops the old version, then starts the new one', async () => {
    const progress = collect()
    const started = Date.now()
    const result = await client.deploy({ environment, version: 'v2', source: { directory: makeRelease(root, 'v2') }, strategy: 'recreate' }, progress)
    console.log(`recreate took ${Date.now() - started} ms`)
    expect(result).toMatchObject({ outcome: 'succeeded', strategy: 'recreate', version: 'v2', previousVersion: 'v1' })
    const kinds = progress.events.map((e) => e.kind)
    // No traffic, the old instances stopped, and only then the new ones started.
    expect(kinds.indexOf('traffic')).toBeLessThan(kinds.indexOf('instance-stopped'))
    expect(kinds.indexOf('instance-stopped')).toBeLessThan(kinds.indexOf('instance-started'))
    expect(await get(environment.url)).toMatchObject({ status: 200, version: 'v2' })
  })

  it('starts the old version again when the new one never becomes healthy', async () => {
    const progress = collect()
    const result = await client.deploy({ environment, version: 'v3', source: { directory: makeRelease(root, 'v3', 'unhealthy') }, strategy: 'recreate' }, progress)
    expect(result).toMatchObject({ outcome: 'failed', servingVersion: 'v2', error: { code: 'PW_ERR_DEPLOYMENT_FAILED', health: { status: 503 } } })
    expect(progress.messages()).toContain('Starting v2 again')
    expect(result.instances.map((i) => i.version)).toEqual(['v2', 'v2'])
    expect(await get(environment.url)).toMatchObject({ status: 200, version: 'v2' })
  })
})
