import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentClient, DeployEvent, DeploymentResult, EnvironmentInput } from '../src/index.js'
import { agentFor, cleanupHome, get, makeRelease, processEnvironment, tempDir, until } from './helpers.js'

/** Sends `n` requests (4 at a time) and counts the answers by version. */
async function countVersions(url: string, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  let sent = 0
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (sent < n) {
        sent++
        const a = await get(url)
        const key = a.status === 200 ? (a.version ?? '?') : `status ${a.status}`
        counts[key] = (counts[key] ?? 0) + 1
      }
    }),
  )
  return counts
}

describe('canary', () => {
  let root: string
  let client: AgentClient
  let environment: EnvironmentInput

  beforeAll(async () => {
    root = tempDir('cn')
    client = await agentFor(join(root, 'home'))
    environment = await processEnvironment('canary', { instances: 2 })
    const first = await client.deploy({ environment, version: 'v1', source: { directory: makeRelease(root, 'v1') }, strategy: 'blue-green' })
    expect(first.outcome).toBe('succeeded')
  })
  afterAll(async () => {
    await cleanupHome(join(root, 'home'))
  })

  it('routes each step\'s share to the new version, then promotes it', async () => {
    const events: DeployEvent[] = []
    const stepCounts: Record<number, Record<string, number>> = {}
    let measuring = Promise.resolve()
    const deploying = client.deploy(
      { environment, version: 'v2', source: { directory: makeRelease(root, 'v2') }, strategy: { canary: { steps: [10, 50], pause: '8s' } } },
      {
        onEvent(event) {
          events.push(event)
          const share = event.kind === 'traffic' ? (event.data?.canary as number | undefined) : undefined
          // Count during the pause that follows each step (8 s: far more than 200 local requests take).
          if (share === 10 || share === 50) measuring = measuring.then(async () => void (stepCounts[share] = await countVersions(environment.url, 200)))
        },
      },
    )
    const result = await deploying
    await measuring
    expect(result.outcome, JSON.stringify(result.error)).toBe('succeeded')
    const steps = events.filter((e) => e.kind === 'traffic').map((e) => e.data?.canary)
    expect(steps).toEqual([10, 50, 100])
    // The router splits deterministically; the tolerance covers requests counted across a step change.
    console.log('canary split per step', stepCounts)
    expect(stepCounts[10]!.v2).toBeGreaterThanOrEqual(200 * 0.05)
    expect(stepCounts[10]!.v2).toBeLessThanOrEqual(200 * 0.15)
    expect(stepCounts[50]!.v2).toBeGreaterThanOrEqual(200 * 0.4)
    expect(stepCounts[50]!.v2).toBeLessThanOrEqual(200 * 0.6)
    expect(Object.keys(stepCounts[10]!).sort()).toEqual(['v1', 'v2'])
    expect(await countVersions(environment.url, 40)).toEqual({ v2: 40 })
    expect(result).toMatchObject({ version: 'v2', previousVersion: 'v1', strategy: 'canary', servingVersion: 'v2' })
  })

  it('abort returns all traffic to the stable version at once and stops the canary', async () => {
    const events: DeployEvent[] = []
    let deploying: Promise<DeploymentResult> | undefined
    const atShare = new Promise<void>((resolve) => {
      deploying = client.deploy(
        { environment, version: 'v3', source: { directory: makeRelease(root, 'v3') }, strategy: { canary: { steps: [30], pause: '10m' } } },
        {
          onEvent(event) {
            events.push(event)
            if (event.kind === 'traffic' && event.data?.canary === 30) resolve()
          },
        },
      )
    })
    await Promise.race([atShare, deploying!.then((r) => Promise.reject(new Error(`the deploy ended before its canary step: ${JSON.stringify(r.error)}`)))])
    const during = await countVersions(environment.url, 100)
    expect(during.v3).toBeGreaterThan(0)
    expect(await client.abort(environment.name)).toBe(true)
    // Right after the abort answered, and from then on, only the stable version serves.
    expect(await countVersions(environment.url, 100)).toEqual({ v2: 100 })
    const result = await deploying!
    expect(result).toMatchObject({ outcome: 'aborted', version: 'v3', servingVersion: 'v2', error: { code: 'PW_ERR_CANCELLED' } })
    const kinds = events.map((e) => `${e.kind}:${e.data?.stable ?? ''}`)
    // Traffic went back before the canary instances were drained and stopped.
    expect(kinds.indexOf('traffic:100')).toBeGreaterThan(-1)
    expect(kinds.indexOf('traffic:100')).toBeLessThan(kinds.indexOf('draining:'))
    const status = (await client.status()).environments.find((e) => e.name === environment.name)!
    expect(status).toMatchObject({ version: 'v2', traffic: { stable: 100, canary: 0 } })
    expect(status.instances.map((i) => i.version)).toEqual(['v2', 'v2'])
    await until('no operation in flight', async () => (await client.status()).environments.every((e) => !e.operation))
  })
})
