import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentClient, DeployEvent, DeploymentResult, EnvironmentInput } from '../src/index.js'
import { agentFor, cleanupHome, get, makeRelease, processEnvironment, tempDir, until } from './helpers.js'

/** Sends `n` requests one after another and counts the answers by version. */
async function countVersions(url: string, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    const a = await get(url)
    const key = a.status === 200 ? (a.version ?? '?') : `status ${a.status}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

/** A deploy's events, and a promise of the first one a test waits for. */
function eventLog(): { events: DeployEvent[]; onEvent(e: DeployEvent): void; first(match: (e: DeployEvent) => boolean): Promise<DeployEvent> } {
  const events: DeployEvent[] = []
  const waiters: Array<{ match: (e: DeployEvent) => boolean; resolve: (e: DeployEvent) => void }> = []
  return {
    events,
    onEvent(e) {
      events.push(e)
      for (const w of waiters.filter((w) => w.match(e))) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(e)
      }
    },
    first(match) {
      const seen = events.find(match)
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }))
    },
  }
}

const stepOf = (weight: number) => (e: DeployEvent) => e.kind === 'canary-step' && e.data?.step === weight

describe('canary steps held for the client\'s verdict (awaitVerdicts)', () => {
  let root: string
  let client: AgentClient
  let environment: EnvironmentInput

  beforeAll(async () => {
    root = tempDir('cv')
    client = await agentFor(join(root, 'home'))
    environment = await processEnvironment('verdicts', { instances: 1 })
    const first = await client.deploy({ environment, version: 'v1', source: { directory: makeRelease(root, 'v1') }, strategy: 'blue-green' })
    expect(first.outcome).toBe('succeeded')
  })
  afterAll(async () => {
    await cleanupHome(join(root, 'home'))
  })

  it('announces the feature, holds each step past its pause until `proceed` names it, then promotes', async () => {
    expect((await client.info()).features).toContain('canary-verdicts')
    const log = eventLog()
    const deploying = client.deploy(
      { environment, version: 'v2', source: { directory: makeRelease(root, 'v2') }, strategy: { kind: 'canary', steps: [30, 60], pauseMs: 0, awaitVerdicts: true } },
      { onEvent: log.onEvent },
    )
    const step = await log.first(stepOf(30))
    const operation = step.data?.operation as string
    // Its pause (0) is long over: the step stays until a verdict comes.
    await new Promise((r) => setTimeout(r, 1_000))
    const held = (await client.status()).environments.find((e) => e.name === environment.name)!
    expect(held).toMatchObject({ traffic: { stable: 70, canary: 30 }, operation: { phase: 'canary 30%: awaiting its verdict' } })
    expect(await client.proceed(environment.name, { operation, step: 60 })).toBe(false)
    expect(await client.proceed(environment.name, { operation: 'op-other', step: 30 })).toBe(false)
    expect(await client.proceed(environment.name, { operation, step: 30 })).toBe(true)
    await log.first(stepOf(60))
    expect(await client.proceed(environment.name, { operation, step: 60 })).toBe(true)
    const result = await deploying
    expect(result, JSON.stringify(result.error)).toMatchObject({ outcome: 'succeeded', servingVersion: 'v2' })
    expect(log.events.filter((e) => e.kind === 'traffic').map((e) => e.data?.canary)).toEqual([30, 60, 100])
    expect(await countVersions(environment.url, 20)).toEqual({ v2: 20 })
  })

  it('an abort with a reason gives all traffic back to the stable version and says why', async () => {
    const log = eventLog()
    const deploying = client.deploy(
      { environment, version: 'v3', source: { directory: makeRelease(root, 'v3') }, strategy: { kind: 'canary', steps: [30, 60], pauseMs: 0, awaitVerdicts: true } },
      { onEvent: log.onEvent },
    )
    await log.first(stepOf(30))
    expect(Object.keys(await countVersions(environment.url, 20)).sort()).toEqual(['v2', 'v3'])
    expect(await client.abort(environment.name, 'analysis failed at the 30% step: 3 failed measurement(s)')).toBe(true)
    expect(await countVersions(environment.url, 100)).toEqual({ v2: 100 })
    const result: DeploymentResult = await deploying
    expect(result).toMatchObject({ outcome: 'aborted', servingVersion: 'v2', error: { code: 'PW_ERR_CANCELLED', message: 'The operation on verdicts was aborted: analysis failed at the 30% step: 3 failed measurement(s)' } })
  })

  it('a client that goes away while a verdict is due aborts the canary: nobody is left to judge it', async () => {
    const body = JSON.stringify({ environment, version: 'v4', source: { directory: makeRelease(root, 'v4') }, strategy: { kind: 'canary', steps: [30], pauseMs: 0, awaitVerdicts: true } })
    await new Promise<void>((resolve, reject) => {
      const req = request({ socketPath: client.socket, method: 'POST', path: '/v1/deploy', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          if (chunk.includes('"canary-step"')) {
            req.destroy()
            resolve()
          }
        })
        res.on('end', () => reject(new Error('the operation ended before its canary step')))
      })
      req.on('error', () => undefined)
      req.end(body)
    })
    const status = await until('the abandoned canary to end', async () => {
      const env = (await client.status()).environments.find((e) => e.name === environment.name)!
      return !env.operation && env.lastResult?.version === 'v4' ? env : undefined
    })
    expect(status.lastResult).toMatchObject({ outcome: 'aborted', error: { message: expect.stringContaining('the client judging the canary went away before its verdict') } })
    expect(status).toMatchObject({ version: 'v2', traffic: { stable: 100, canary: 0 } })
    expect(await countVersions(environment.url, 20)).toEqual({ v2: 20 })
  })
})
