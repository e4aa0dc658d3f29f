import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentClient, EnvironmentStatus } from '../src/index.js'
import { agentFor, cleanupHome, get, makeRelease, processEnvironment, tempDir, until } from './helpers.js'

describe('supervision', () => {
  let root: string
  let home: string
  let client: AgentClient

  beforeAll(async () => {
    root = tempDir('sv')
    home = join(root, 'home')
    client = await agentFor(home)
  })
  afterAll(async () => {
    await cleanupHome(home)
  })

  const statusOf = async (name: string): Promise<EnvironmentStatus> => (await client.status()).environments.find((e) => e.name === name)!

  it('restarts a killed instance, on a new port, and serves again', async () => {
    const environment = await processEnvironment('restarts', { instances: 1 })
    expect((await client.deploy({ environment, version: 'v1', source: { directory: makeRelease(root, 'restart-v1') } })).outcome).toBe('succeeded')
    const before = (await statusOf('restarts')).instances[0]!
    process.kill(before.pid!, 'SIGKILL')
    const after = await until('the instance restarted', async () => {
      const i = (await statusOf('restarts')).instances[0]
      return i && i.restarts === 1 && i.state === 'running' ? i : undefined
    })
    expect(after).toMatchObject({ id: before.id, version: 'v1', healthy: true, lastExit: 'killed by SIGKILL' })
    expect(after.pid).not.toBe(before.pid)
    expect(await get(environment.url)).toMatchObject({ status: 200, version: 'restart-v1' })
  })

  it('stops restarting at its limit, says so, and never loops', async () => {
    const crashFile = join(root, 'crash-now')
    const environment = await processEnvironment('crashloop', { instances: 1, env: { CRASH_FILE: crashFile }, supervise: { maxRestarts: 2, windowMs: 60_000, backoffMs: 100, backoffMaxMs: 400, checkIntervalMs: 200 } })
    expect((await client.deploy({ environment, version: 'v1', source: { directory: makeRelease(root, 'loop-v1') } })).outcome).toBe('succeeded')
    const first = (await statusOf('crashloop')).instances[0]!
    // From now on every start of the service exits at once with code 3.
    writeFileSync(crashFile, 'crash\n')
    process.kill(first.pid!, 'SIGKILL')
    const failed = await until('the supervisor gave up', async () => {
      const i = (await statusOf('crashloop')).instances[0]
      return i?.state === 'failed' ? i : undefined
    })
    expect(failed.restarts).toBe(2)
    expect(failed.lastExit).toMatch(/^gave up after 2 restart\(s\): crashed 3 times within 60 s \(last: health check GET http:\/\/127\.0\.0\.1:\d+\/healthz of instance crashloop-\w+ did not pass .*failed: instance exited with code 3\)$/)
    const status = await statusOf('crashloop')
    expect(status.state).toBe('down')
    expect(await get(environment.url)).toMatchObject({ status: 503 })
    // No restart loop: the count stays where it stopped.
    await new Promise((r) => setTimeout(r, 1_500))
    expect((await statusOf('crashloop')).instances[0]).toMatchObject({ state: 'failed', restarts: 2 })
    const log = readFileSync(join(home, 'agent', 'agent.log'), 'utf8')
    expect(log).toMatch(/\[crashloop\] instance crashloop-\w+ gave up after 2 restart\(s\)/)
    // A new deploy brings the environment back.
    await import('node:fs/promises').then((fs) => fs.rm(crashFile))
    expect(existsSync(crashFile)).toBe(false)
    const again = await client.deploy({ environment, version: 'v2', source: { directory: makeRelease(root, 'loop-v2') }, strategy: 'blue-green' })
    expect(again.outcome, JSON.stringify(again.error)).toBe('succeeded')
    expect(await get(environment.url)).toMatchObject({ status: 200, version: 'loop-v2' })
    expect((await statusOf('crashloop')).instances.map((i) => [i.version, i.state])).toEqual([['v2', 'running']])
  })
})
