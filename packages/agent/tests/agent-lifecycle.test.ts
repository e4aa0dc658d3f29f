import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectAgent, ensureAgent, type AgentClient, type EnvironmentInput } from '../src/index.js'
import { agentFor, cleanupHome, get, makeRelease, processEnvironment, tempDir, until } from './helpers.js'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('the agent process', () => {
  let root: string
  let home: string
  let client: AgentClient
  const environments: EnvironmentInput[] = []

  beforeAll(async () => {
    root = tempDir('lc')
    home = join(root, 'home')
  })
  afterAll(async () => {
    await cleanupHome(home)
  })

  it('starts on demand; concurrent and later ensureAgent calls reuse the one running', async () => {
    const started = Date.now()
    const [a, b] = await Promise.all([ensureAgent(home, { startTimeoutMs: 60_000 }), ensureAgent(home, { startTimeoutMs: 60_000 })])
    console.log(`agent answered after ${Date.now() - started} ms`)
    const [infoA, infoB] = await Promise.all([a.info(), b.info()])
    expect(infoA.pid).toBe(infoB.pid)
    client = await agentFor(home)
    expect((await client.info()).pid).toBe(infoA.pid)
    expect(infoA.targets).toEqual(expect.arrayContaining(['deploy/process', 'docker/container']))
    expect(readFileSync(join(home, 'agent', 'agent.pid'), 'utf8')).toBe(String(infoA.pid))
  })

  it('restores every environment\'s last good state after a kill -9, adopting live instances', async () => {
    for (const name of ['alpha', 'beta']) {
      const environment = await processEnvironment(name, { instances: 2 })
      environments.push(environment)
      expect((await client.deploy({ environment, version: `${name}-1`, source: { directory: makeRelease(root, `${name}-1`) }, strategy: 'blue-green' })).outcome).toBe('succeeded')
    }
    expect((await client.deploy({ environment: environments[1]!, version: 'beta-2', source: { directory: makeRelease(root, 'beta-2') }, strategy: 'rolling' })).outcome).toBe('succeeded')
    const before = await client.status()
    const pids = (name: string, status = before) => status.environments.find((e) => e.name === name)!.instances.map((i) => i.pid!)
    const oldAgent = before.agent.pid

    process.kill(oldAgent, 'SIGKILL')
    await until('the old agent is gone', () => !alive(oldAgent))
    // Its socket file is left behind: nobody answers on it.
    expect(existsSync(join(home, 'agent.sock'))).toBe(true)
    await expect(connectAgent(home)).rejects.toMatchObject({ code: 'PW_ERR_AGENT_UNAVAILABLE' })
    expect((await get(environments[0]!.url)).status).toBe(0)
    // One of alpha's instances dies while no agent watches.
    const [lost, kept] = pids('alpha')
    process.kill(lost!, 'SIGKILL')

    const restarting = Date.now()
    client = await agentFor(home)
    const info = await client.info()
    expect(info.pid).not.toBe(oldAgent)
    await until('alpha and beta serve again', async () => (await get(environments[0]!.url)).version === 'alpha-1' && (await get(environments[1]!.url)).version === 'beta-2' && (await client.status()).environments.every((e) => e.state === 'serving'), 60_000)
    console.log(`restore: both environments served again ${Date.now() - restarting} ms after the new agent was asked for`)

    const after = await client.status()
    expect(after.environments.map((e) => [e.name, e.version, e.state])).toEqual([
      ['alpha', 'alpha-1', 'serving'],
      ['beta', 'beta-2', 'serving'],
    ])
    // beta's instances were adopted as they were; alpha kept its survivor and got a new one for the lost.
    expect(pids('beta', after).sort()).toEqual(pids('beta').sort())
    expect(pids('alpha', after)).toContain(kept)
    expect(pids('alpha', after)).not.toContain(lost)
    expect(pids('alpha', after)).toHaveLength(2)
    // What it remembers survived too: rollback still knows beta's previous version.
    const back = await client.rollback('beta')
    expect(back).toMatchObject({ outcome: 'succeeded', version: 'beta-1', previousVersion: 'beta-2' })
    expect((await get(environments[1]!.url)).version).toBe('beta-1')
  })

  it('stop keeps instances running for the next agent; stop --all stops everything', async () => {
    const status = await client.status()
    const instancePids = status.environments.flatMap((e) => e.instances.map((i) => i.pid!))
    const agentPid = status.agent.pid
    await client.stop()
    expect(alive(agentPid)).toBe(false)
    expect(existsSync(join(home, 'agent.sock'))).toBe(false)
    expect(instancePids.every(alive)).toBe(true)
    expect((await get(environments[0]!.url)).status).toBe(0)

    client = await agentFor(home)
    await until('alpha serves again', async () => (await get(environments[0]!.url)).version === 'alpha-1', 60_000)
    const adopted = (await client.status()).environments.flatMap((e) => e.instances.map((i) => i.pid!))
    expect(adopted.sort()).toEqual(instancePids.sort())

    await client.stop({ all: true })
    await until('every instance stopped', () => instancePids.every((p) => !alive(p)))
    // Stopped environments are not brought back by the next agent.
    client = await agentFor(home)
    const empty = await until('the agent restored what it knows', async () => {
      const s = await client.status()
      return s.environments.every((e) => !e.operation) ? s : undefined
    })
    expect(empty.environments.map((e) => [e.name, e.state, e.version, e.instances.length])).toEqual([
      ['alpha', 'stopped', 'alpha-1', 0],
      ['beta', 'stopped', 'beta-1', 0],
    ])
    // No router listens for a stopped environment; a deploy brings it back.
    expect((await get(environments[0]!.url)).status).toBe(0)
    expect((await client.deploy({ environment: environments[0]!, version: 'alpha-2', source: { directory: makeRelease(root, 'alpha-2') } })).outcome).toBe('succeeded')
    expect((await get(environments[0]!.url)).version).toBe('alpha-2')
  })
})
