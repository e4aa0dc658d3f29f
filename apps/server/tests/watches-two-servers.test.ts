/**
 * Several servers on one PostgreSQL store host an environment's monitors exactly once: real
 * `pipewright serve` processes (the built CLI, apps/cli/dist/bin.js — run `pnpm build` first) on one
 * schema of the real PostgreSQL on 127.0.0.1:5432, watching a real HTTP service on 127.0.0.1
 * whose /healthz the test switches between 200 and 500; alerts go to a `notification/file`.
 * The lease per environment decides who watches; a server closing releases it (the other takes
 * over at its next pass), a server killed with SIGKILL leaves it to expire (--watch-lease 2s).
 */
import { createPostgresStore } from '@pipewright/store-postgres'
import type { HealthRecord, Store } from '@pipewright/store-api'
import { randomBytes } from 'node:crypto'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir, waitFor } from './helpers.js'
import { CLI, POSTGRES_URL, dropSchema, serveProcess, stopServed, type Served } from './serve-process.js'
import { notifiedEvents, startHealthService, watchedPipeline, type HealthService } from './watch-service.js'

const SCHEMA = `pw_test_watches_${randomBytes(5).toString('hex')}`
const STORE_URL = `${POSTGRES_URL}?schema=${SCHEMA}`

type Server = Served & { pid: number }

/** `pipewright serve` of the watched pipeline on the shared store, with 2 s watch leases. */
async function serve(dir: string): Promise<Server> {
  const served = await serveProcess(['-f', join(dir, 'pipewright.yml'), '--port', '0', '--watch-lease', '2s'], { cwd: dir, env: { PIPEWRIGHT_STORE: STORE_URL } })
  return { ...served, pid: served.child.pid! }
}

const stop = (served: Served, signal?: NodeJS.Signals) => stopServed(served, signal)

/** The process whose holder id (`server:<host>:<pid>:<random>`) holds production's watch lease now. */
async function holderOf(store: Store, servers: Server[]): Promise<Server | undefined> {
  const [lease] = await store.listLeases('watch', Date.now())
  return lease && servers.find((s) => lease.holder.split(':')[2] === String(s.pid))
}

const samples = (store: Store): Promise<HealthRecord[]> => store.listHealthRecords({ environment: 'production', kind: 'sample', limit: 100_000 })
/** The watches that sampled, in order of their first sample. */
const watchIds = async (store: Store) => [...new Set((await samples(store)).sort((a, b) => a.at - b.at).map((r) => r.runId))]

describe('two servers on one store watch an environment once', () => {
  let dir: string
  let store: Store
  let service: HealthService
  const servers: Server[] = []

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm build first`)
    dir = tempDir('pw-watches-')
    service = await startHealthService()
    writeFileSync(join(dir, 'pipewright.yml'), watchedPipeline(service.port, join(dir, 'notifications.jsonl')))
    store = await createPostgresStore({ url: STORE_URL })
  }, 60_000)

  afterAll(async () => {
    await Promise.all(servers.map((s) => stop(s, 'SIGKILL')))
    await store?.close()
    await service?.close()
    await dropSchema(SCHEMA)
    if (dir) rmSync(dir, { recursive: true, force: true })
  }, 60_000)

  it('only the lease holder samples and alerts; a closed holder hands over at once (no second alert), a killed one when its lease expires', async () => {
    const notifyFile = join(dir, 'notifications.jsonl')
    servers.push(await serve(dir), await serve(dir))
    await waitFor(async () => ((await samples(store)).length >= 10 ? true : undefined), 60_000, 'health samples')
    const first = (await holderOf(store, servers))!
    const other = servers.find((s) => s !== first)!
    expect(first).toBeDefined()
    expect(await watchIds(store)).toHaveLength(1)
    expect(first.output()).toMatch(/watching production \(pipeline shop\) as server:/)
    expect(other.output()).not.toMatch(/watching production/)

    service.status = 500
    await waitFor(async () => (notifiedEvents(notifyFile).length >= 1 ? true : undefined), 30_000, 'the unhealthy notification')

    // The holder closes while the environment is unhealthy: it releases the lease and the other
    // takes over, going on from the stored verdict — no second alert.
    await stop(first)
    expect(first.output()).toMatch(/stopped watching production: the host is closing/)
    await waitFor(async () => ((await holderOf(store, servers)) === other ? true : undefined), 30_000, 'the other server to take over')
    await waitFor(async () => ((await watchIds(store)).length === 2 ? true : undefined), 30_000, 'samples of the second watch')
    const sampled = (await samples(store)).length
    await waitFor(async () => ((await samples(store)).length >= sampled + 10 ? true : undefined), 30_000, 'more samples')
    expect(notifiedEvents(notifyFile).map((n) => n.event)).toEqual(['environment:unhealthy'])
    service.status = 200
    await waitFor(async () => (notifiedEvents(notifyFile).length >= 2 ? true : undefined), 30_000, 'the recovered notification')
    expect(notifiedEvents(notifyFile).map((n) => n.event)).toEqual(['environment:unhealthy', 'environment:recovered'])

    // A third server joins; the holder dies without releasing: the third takes over once the lease expires.
    const third = await serve(dir)
    servers.push(third)
    await stop(other, 'SIGKILL')
    await waitFor(async () => ((await holderOf(store, servers)) === third ? true : undefined), 30_000, 'the third server to take over')
    await waitFor(async () => ((await watchIds(store)).length === 3 ? true : undefined), 30_000, 'samples of the third watch')
    const later = (await samples(store)).length
    await waitFor(async () => ((await samples(store)).length >= later + 10 ? true : undefined), 30_000, 'more samples')
    expect(notifiedEvents(notifyFile).map((n) => n.event)).toEqual(['environment:unhealthy', 'environment:recovered'])
    expect(await watchIds(store)).toHaveLength(3)

    // Watches never overlapped: each one's samples end before the next one's begin.
    const records = await samples(store)
    const spans = (await watchIds(store)).map((id) => records.filter((r) => r.runId === id).map((r) => r.at)).map((ats) => [Math.min(...ats), Math.max(...ats)] as const)
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThan(spans[i - 1]![1])

    await stop(third)
    expect(await store.listLeases('watch', Date.now())).toEqual([])
  }, 240_000)
})
