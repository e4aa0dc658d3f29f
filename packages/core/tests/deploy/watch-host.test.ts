import { afterEach, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { createMemoryStore } from '@pipewright/store-api'
import { DEPLOYER } from '../../src/deploy/deployer.js'
import { hostWatches, type WatchHost } from '../../src/deploy/watch-host.js'
import { createEngine } from '../../src/engine/engine.js'
import type { Engine } from '../../src/engine/types.js'
import { tempProject, type TempProject } from '../engine/helpers.js'
import { SHOP_PIPELINE, errorsProbe, processTargetPlugin, recordingDeployer, until } from './helpers.js'

// Several hosts share one store, each with its own engine, as servers on one database do. The
// memory store's leases are the contract's (the SQLite and PostgreSQL ones pass the same
// conformance suite; real processes on PostgreSQL: apps/server/tests/watches-two-servers.test.ts).

const { live, probe } = errorsProbe()

// Without healing: these tests are about who watches.
const PIPELINE = SHOP_PIPELINE.replace(/ {6}healing: .*\n/, '')

let project: TempProject | undefined
const hosts: WatchHost[] = []
const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()))
  await Promise.all(engines.splice(0).map((e) => e.close()))
  await project?.cleanup()
  project = undefined
  live.errors = 0
})

function setup(store = createMemoryStore()) {
  const events: string[] = []
  const lines: string[] = []
  const host = (holder: string, options: { now?: () => number } = {}) => {
    const engine = createEngine({ plugins: [processTargetPlugin, probe], services: [{ token: DEPLOYER, useValue: recordingDeployer().deployer }], store })
    engine.onAny((type) => type.startsWith('environment:') && events.push(`${holder} ${type}`))
    engines.push(engine)
    // A lease far longer than the test: only close() and the tests' clocks end one.
    const h = hostWatches({ engine, files: () => [project!.file], holder, leaseMs: 600_000, log: (l) => lines.push(`${holder}: ${l}`), ...options })
    hosts.push(h)
    return h
  }
  const samplers = async () => new Set((await store.listHealthRecords({ environment: 'staging', kind: 'sample', limit: 100_000 })).map((r) => r.runId))
  return { store, events, lines, host, samplers }
}

describe('hosting environment watches under a lease', () => {
  it('lets one host of two watch; the other takes over when it closes and does not announce again what was announced', async () => {
    project = await tempProject(PIPELINE)
    const { store, events, host, samplers } = setup()
    const a = host('a')
    const b = host('b')
    await a.tick()
    await b.tick()
    expect(a.watching().map((w) => w.environment)).toEqual(['staging'])
    expect(b.watching()).toEqual([])
    await until(async () => (await store.listHealthRecords({ environment: 'staging', kind: 'sample' })).length >= 3)
    expect((await samplers()).size).toBe(1)

    live.errors = 4
    await until(() => events.includes('a environment:unhealthy'))
    await a.close()
    expect(await store.listLeases('watch', Date.now())).toEqual([])
    await b.tick()
    expect(b.watching().map((w) => w.environment)).toEqual(['staging'])
    await until(async () => (await samplers()).size === 2)
    const sampled = (await store.listHealthRecords({ environment: 'staging', kind: 'sample' })).length
    await until(async () => (await store.listHealthRecords({ environment: 'staging', kind: 'sample' })).length >= sampled + 5)
    expect(events).toEqual(['a environment:unhealthy'])

    live.errors = 0
    await until(() => events.includes('b environment:recovered'))
    expect(events).toEqual(['a environment:unhealthy', 'b environment:recovered'])
  }, 30_000)

  it('stops watching when another host holds the lease (its own expired unrenewed)', async () => {
    project = await tempProject(PIPELINE)
    const { lines, host } = setup()
    const a = host('a')
    await a.tick()
    expect(a.watching()).toHaveLength(1)
    // b's clock is past a's lease: to b, a looks dead.
    const b = host('b', { now: () => Date.now() + 600_001 })
    await b.tick()
    expect(b.watching()).toHaveLength(1)
    await a.tick()
    expect(a.watching()).toEqual([])
    expect(lines).toContain('a: stopped watching staging: another process holds its lease now')
  }, 30_000)

  it('does not start a watch that failed again until its pipeline changes, and releases its lease meanwhile', async () => {
    project = await tempProject(PIPELINE.replace('with: { url: /healthz }', 'with: { url: /healthz, fail: true }'))
    const { store, lines, host } = setup()
    const a = host('a')
    await a.tick()
    await until(() => lines.some((l) => l.startsWith('a: the watch of staging failed: ')))
    expect(a.watching()).toEqual([])
    await a.tick()
    await a.tick()
    expect(lines.filter((l) => l.startsWith('a: watching staging'))).toHaveLength(1)
    expect(await store.listLeases('watch', Date.now())).toEqual([])

    writeFileSync(project.file, PIPELINE)
    await a.tick()
    expect(a.watching().map((w) => w.environment)).toEqual(['staging'])
  }, 30_000)
})
