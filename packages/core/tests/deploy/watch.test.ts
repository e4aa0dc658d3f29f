import { afterEach, describe, expect, it } from 'vitest'
import { definePlugin, z, type Notification, type PipewrightEvents } from '@pipewright/plugin-api'
import { createMemoryStore } from '@pipewright/store-api'
import { DEPLOYER } from '../../src/deploy/deployer.js'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'
import { SHOP_PIPELINE, errorsProbe, processTargetPlugin, recordingDeployer, until } from './helpers.js'

// A recording deployer: the watch's decisions (alerts, healing runs and their limit) are under test.

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const { live, probe } = errorsProbe()

const PIPELINE = SHOP_PIPELINE

describe('continuous monitoring of an environment', () => {
  it('alerts when it turns unhealthy, heals with a restart at most `max` times with back-off, then gives up and alerts — never a loop — and alerts again when it recovers', async () => {
    project = await tempProject(PIPELINE)
    const { deployer, calls } = recordingDeployer()
    const store = createMemoryStore()
    const engine = createEngine({ plugins: [processTargetPlugin, probe], services: [{ token: DEPLOYER, useValue: deployer }], store })
    expect((await runFile(project.file, {}, {}, engine)).result.status).toBe('succeeded')
    const events: Array<{ type: string; payload: Record<string, unknown> }> = []
    const off = engine.onAny((type, payload) => {
      if (type.startsWith('environment:')) events.push({ type, payload: payload as Record<string, unknown> })
    })
    const controller = new AbortController()
    const lines: string[] = []
    live.errors = 0
    const watching = engine.watchEnvironment(await engine.load(project.file), 'staging', { signal: controller.signal, log: (l) => lines.push(l) })

    await until(() => store.listHealthRecords({ environment: 'staging', kind: 'sample' }).then((r) => r.length >= 3), 10_000)
    expect(events).toEqual([])
    live.errors = 5
    const gaveUp = await until(() => events.find((e) => e.type === 'environment:healing' && e.payload.outcome === 'gave-up'), 20_000)
    expect(gaveUp.payload).toMatchObject({ environment: 'staging', action: 'restart', attempt: 2, max: 2, reason: 'gave up after 2 restart(s): staging is still unhealthy — a person must look at it' })
    // Well past a further back-off: no third restart.
    await new Promise((r) => setTimeout(r, 600))
    expect(calls.filter((c) => c.kind === 'deploy').map((c) => (c.kind === 'deploy' ? c.request.version : ''))).toEqual(['1.0.0', '1.0.0', '1.0.0'])
    const [unhealthy] = events.filter((e) => e.type === 'environment:unhealthy') as unknown as Array<{ payload: PipewrightEvents['environment:unhealthy'] }>
    expect(unhealthy!.payload.reason).toMatch(/^2 failed measurement\(s\) in a row; last: live\/errors failed errors=5 — http:\/\/127\.0\.0\.1:18301\/healthz errors=5$/)
    expect(events.map((e) => `${e.type}${e.payload.outcome ? ` ${e.payload.outcome}` : ''}`)).toEqual([
      'environment:unhealthy',
      'environment:healing started',
      'environment:healing succeeded',
      'environment:healing started',
      'environment:healing succeeded',
      'environment:healing gave-up',
    ])

    live.errors = 0
    const recovered = await until(() => events.find((e) => e.type === 'environment:recovered'), 10_000)
    expect(recovered.payload.unhealthyForMs).toBeGreaterThan(0)
    controller.abort()
    await watching
    off()
    const verdicts = await store.listHealthRecords({ environment: 'staging', kind: 'verdict' })
    expect(verdicts.map((v) => v.verdict)).toEqual(['recovered', 'unhealthy'])
    const runs = await store.listRuns({})
    expect(runs.filter((r) => r.triggeredBy === 'pipewright (self-healing)')).toHaveLength(2)
    expect(lines.some((l) => l.startsWith('watching staging (http://127.0.0.1:18301) with live/errors; healing: restart, at most 2'))).toBe(true)
  }, 60_000)

  it("routes the watch's alerts through the pipeline's notify: routes (no run needed), with secrets masked, and records the deliveries", async () => {
    const inbox: Notification[] = []
    const pager = definePlugin({
      id: 'pager',
      apiVersion: 1,
      register(api) {
        api.notifier('page', { configSchema: z.object({ key: z.string() }), notify: (_ctx, notification, config) => void inbox.push({ ...notification, text: `${notification.text} [key ${config.key}]` }) })
      },
    })
    const withRoutes = PIPELINE.replace('name: shop\n', 'name: shop\nsecrets: [PAGER_KEY]\nnotify:\n  - on: [environment:unhealthy, environment:recovered]\n    environments: [staging]\n    uses: pager/page\n    with: { key: "${{ secrets.PAGER_KEY }}" }\n')
      .replace(/ {6}healing: .*\n/, '')
    project = await tempProject(withRoutes)
    const store = createMemoryStore()
    const engine = createEngine({ plugins: [processTargetPlugin, probe, pager], services: [{ token: DEPLOYER, useValue: recordingDeployer().deployer }], store, env: { PIPEWRIGHT_SECRET_PAGER_KEY: 'pk-9d1e77' } })
    const sent: string[] = []
    const off = engine.onAny((type, payload) => {
      if (type === 'notification:sent') sent.push(String((payload as { event: string }).event))
    })
    const controller = new AbortController()
    live.errors = 3
    const watching = engine.watchEnvironment(await engine.load(project.file), 'staging', { signal: controller.signal, log: () => undefined })
    await until(() => inbox.find((n) => n.event === 'environment:unhealthy'), 10_000)
    live.errors = 0
    await until(() => inbox.find((n) => n.event === 'environment:recovered'), 10_000)
    controller.abort()
    await watching
    off()
    expect(inbox.map((n) => n.event)).toEqual(['environment:unhealthy', 'environment:recovered'])
    expect(inbox[0]).toMatchObject({ fields: expect.objectContaining({ pipeline: 'shop', environment: 'staging' }) })
    // The notifier got the secret (it needs it); what it was given to say never carries it.
    expect(inbox[0]!.text).toContain('[key pk-9d1e77]')
    expect(inbox[0]!.text.replace('[key pk-9d1e77]', '')).not.toContain('pk-9d1e77')
    expect(sent).toEqual(['environment:unhealthy', 'environment:recovered'])
  }, 60_000)

  it('refuses an environment without monitors, saying how to add them', async () => {
    project = await tempProject(PIPELINE.replace(/ {4}monitors:[\s\S]*?healing: .*\n/, ''))
    const engine = createEngine({ plugins: [processTargetPlugin, probe] })
    await expect(engine.watchEnvironment(await engine.load(project.file), 'staging', { signal: new AbortController().signal })).rejects.toMatchObject({ code: 'PW_ERR_CONFIG_INVALID', message: 'Environment staging declares no monitors: there is nothing to watch' })
  })
})
