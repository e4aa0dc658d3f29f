/**
 * The server hosts the environment monitors of its registered pipelines: a real server (real
 * engine, SQLite store in a temp dir, the real monitoring and notification plugins) on
 * 127.0.0.1 watching a real HTTP service whose /healthz the test switches between 200 and 500.
 */
import monitoringPlugin from '@pipewright/plugin-monitoring'
import notificationPlugin from '@pipewright/plugin-notification'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestServer, tempDir, waitFor, type Json, type TestServer } from './helpers.js'
import { notifiedEvents, startHealthService, watchedPipeline, type HealthService } from './watch-service.js'

let served: TestServer | undefined
let service: HealthService | undefined
afterEach(async () => {
  await served?.close()
  await service?.close()
  served = undefined
  service = undefined
})

const samples = (t: TestServer) => t.engine.store.listHealthRecords({ environment: 'production', kind: 'sample', limit: 100_000 })

describe('the server keeps environment monitors running', () => {
  it('stores health, alerts when the environment turns unhealthy and when it recovers, shows who watches, and stops on close', async () => {
    service = await startHealthService()
    const dir = tempDir()
    const notifyFile = join(dir, 'notifications.jsonl')
    const lines: string[] = []
    served = await startTestServer({ 'pipewright.yml': watchedPipeline(service.port, notifyFile) }, { dir, plugins: [monitoringPlugin, notificationPlugin], watches: { leaseMs: 1500, log: (l) => lines.push(l) } })
    const t = served

    await waitFor(async () => ((await samples(t)).length >= 3 ? true : undefined), 20_000, 'health samples')
    expect((await samples(t)).every((r) => r.source === 'watch' && r.healthy && r.monitor === 'monitoring/http')).toBe(true)
    const [environment] = (await (await t.api('/api/environments', { as: 'viewer' })).json()) as Json[]
    expect(environment).toMatchObject({ name: 'production', health: { status: 'healthy', source: 'watch', kind: 'sample' }, watcher: { holder: t.server.watches!.holder } })
    expect(t.server.watches!.watching().map((w) => w.environment)).toEqual(['production'])

    service.status = 500
    await waitFor(async () => (notifiedEvents(notifyFile).length >= 1 ? true : undefined), 20_000, 'the unhealthy notification')
    expect(notifiedEvents(notifyFile)).toMatchObject([{ event: 'environment:unhealthy', environment: 'production' }])
    const [unhealthy] = (await (await t.api('/api/environments', { as: 'viewer' })).json()) as Json[]
    expect(unhealthy.health).toMatchObject({ status: 'unhealthy', source: 'watch' })

    service.status = 200
    await waitFor(async () => (notifiedEvents(notifyFile).length >= 2 ? true : undefined), 20_000, 'the recovered notification')
    expect(notifiedEvents(notifyFile).map((n) => n.event)).toEqual(['environment:unhealthy', 'environment:recovered'])
    const verdicts = await t.engine.store.listHealthRecords({ environment: 'production', kind: 'verdict' })
    expect(verdicts.map((v) => v.verdict).sort()).toEqual(['recovered', 'unhealthy'])

    await t.server.close()
    expect(await t.engine.store.listLeases('watch', Date.now())).toEqual([])
    const after = (await samples(t)).length
    // Ten probe intervals later nothing more was sampled: the watch (and its monitor) stopped.
    await new Promise((r) => setTimeout(r, 1000))
    expect((await samples(t)).length).toBe(after)
    expect(lines).toContainEqual(expect.stringMatching(/^stopped watching production: the host is closing$/))
  }, 60_000)

  it('watches again with the new definition when the pipeline file changes, and stops when its monitors go away', async () => {
    service = await startHealthService()
    const dir = tempDir()
    const file = join(dir, 'pipewright.yml')
    const notifyFile = join(dir, 'notifications.jsonl')
    const lines: string[] = []
    served = await startTestServer({ 'pipewright.yml': watchedPipeline(service.port, notifyFile) }, { dir, plugins: [monitoringPlugin, notificationPlugin], watches: { leaseMs: 600, log: (l) => lines.push(l) } })
    const t = served
    await waitFor(async () => ((await samples(t)).length >= 2 ? true : undefined), 20_000, 'health samples')
    const firstWatch = (await samples(t))[0]!.runId

    writeFileSync(file, watchedPipeline(service.port, notifyFile, '\n      healing: { action: restart, max: 1 }'))
    const secondWatch = await waitFor(async () => (await samples(t)).map((r) => r.runId).find((id) => id !== firstWatch), 20_000, 'samples of the new watch')
    expect(secondWatch).toMatch(/^watch-production-/)
    expect(lines).toContainEqual('stopped watching production: its pipeline changed; watching it again with the new definition')

    const withoutMonitors = watchedPipeline(service.port, notifyFile).split('\n')
    const from = withoutMonitors.findIndex((l) => l.trim() === 'monitors:')
    withoutMonitors.splice(from, withoutMonitors.findIndex((l) => l.includes('monitoring/http')) - from + 1)
    writeFileSync(file, withoutMonitors.join('\n'))
    await waitFor(async () => (t.server.watches!.watching().length === 0 ? true : undefined), 20_000, 'the watch to stop')
    expect(lines).toContainEqual('stopped watching production: no registered pipeline declares its monitors any more')
    expect(await t.engine.store.listLeases('watch', Date.now())).toEqual([])
  }, 60_000)
})
