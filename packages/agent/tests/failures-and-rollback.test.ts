import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentClient, EnvironmentInput } from '../src/index.js'
import { agentFor, cleanupHome, collect, get, makeRelease, processEnvironment, tempDir } from './helpers.js'

async function versions(url: string, n = 20): Promise<string[]> {
  const seen = new Set<string>()
  for (let i = 0; i < n; i++) {
    const a = await get(url)
    seen.add(a.status === 200 ? a.version! : `status ${a.status}`)
  }
  return [...seen].sort()
}

describe('a version that never becomes healthy, and rollback', () => {
  let root: string
  let client: AgentClient
  let environment: EnvironmentInput

  beforeAll(async () => {
    root = tempDir('rb')
    client = await agentFor(join(root, 'home'))
    environment = await processEnvironment('rollback', { instances: 2, health: { path: '/healthz', intervalMs: 100, startupTimeoutMs: 3_000 } })
    expect((await client.deploy({ environment, version: 'v1', source: { directory: makeRelease(root, 'v1') }, strategy: 'blue-green' })).outcome).toBe('succeeded')
  })
  afterAll(async () => {
    await cleanupHome(join(root, 'home'))
  })

  for (const strategy of ['blue-green', 'rolling', 'canary'] as const) {
    it(`${strategy}: an unhealthy version leaves the old one serving, naming the check and its last answer`, async () => {
      const progress = collect()
      const result = await client.deploy({ environment, version: `bad-${strategy}`, source: { directory: makeRelease(root, `bad-${strategy}`, 'unhealthy') }, strategy: strategy === 'canary' ? { canary: { steps: [20], pause: '1s' } } : strategy }, progress)
      expect(result).toMatchObject({ outcome: 'failed', servingVersion: 'v1', error: { code: 'PW_ERR_DEPLOYMENT_FAILED', health: { status: 503, body: `unhealthy: bad-${strategy} is configured to fail its health check` } } })
      expect(result.error!.message).toMatch(new RegExp(`^Version bad-${strategy} of rollback did not become healthy: health check GET http://127\\.0\\.0\\.1:\\d+/healthz of instance rollback-\\w+ did not pass in [\\d.]+ s \\(\\d+ attempts\\); last answered 503 "unhealthy: bad-${strategy} is configured to fail its health check"$`))
      expect(progress.events.some((e) => e.kind === 'health-failed' && e.level === 'error')).toBe(true)
      expect(await versions(environment.url)).toEqual(['v1'])
      const status = (await client.status()).environments.find((e) => e.name === 'rollback')!
      expect(status.instances.map((i) => i.version)).toEqual(['v1', 'v1'])
    })
  }

  it('a version whose process dies at start fails at once with its exit', async () => {
    const result = await client.deploy({ environment, version: 'dies', source: { directory: makeRelease(root, 'dies', 'crash') }, strategy: 'blue-green' })
    expect(result.outcome).toBe('failed')
    expect(result.error!.health).toMatchObject({ error: 'instance exited with code 3' })
    expect(result.error!.message).toContain('last failed: instance exited with code 3')
    expect(await versions(environment.url)).toEqual(['v1'])
  })

  it('rollback re-deploys the previous good version', async () => {
    expect((await client.deploy({ environment, version: 'v2', source: { directory: makeRelease(root, 'v2') }, strategy: 'rolling' })).outcome).toBe('succeeded')
    expect(await versions(environment.url)).toEqual(['v2'])
    const back = await client.rollback('rollback', { meta: { reason: 'test' } })
    expect(back).toMatchObject({ kind: 'rollback', outcome: 'succeeded', version: 'v1', previousVersion: 'v2', strategy: 'blue-green', servingVersion: 'v1', meta: { reason: 'test' } })
    expect(await versions(environment.url)).toEqual(['v1'])
  })

  it('rollback after a blue-green that kept the old instances is a switch back, at once', async () => {
    const deployed = await client.deploy({ environment, version: 'v3', source: { directory: makeRelease(root, 'v3') }, strategy: { 'blue-green': { 'keep-previous': '5m' } } })
    expect(deployed.outcome).toBe('succeeded')
    const kept = (await client.status()).environments.find((e) => e.name === 'rollback')!.instances.filter((i) => i.role === 'previous')
    expect(kept.map((i) => i.version)).toEqual(['v1', 'v1'])
    const back = await client.rollback('rollback')
    expect(back).toMatchObject({ outcome: 'succeeded', version: 'v1', previousVersion: 'v3', strategy: 'switch-back' })
    // The very instances that were kept serve again: no new process was started.
    expect(back.instances.map((i) => i.pid).sort()).toEqual(kept.map((i) => i.pid).sort())
    expect(await versions(environment.url)).toEqual(['v1'])
  })

  it('rollback --to a version the environment never ran is refused', async () => {
    await expect(client.rollback('rollback', { toVersion: 'v9' })).rejects.toMatchObject({ code: 'PW_ERR_DEPLOYMENT_FAILED', message: 'rollback never ran v9 (as far as this agent remembers)' })
    await expect(client.rollback('nowhere')).rejects.toMatchObject({ code: 'PW_ERR_ENVIRONMENT_NOT_FOUND' })
  })
})
