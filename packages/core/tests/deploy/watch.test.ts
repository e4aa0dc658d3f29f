import { afterEach, describe, expect, it } from 'vitest'
import { definePlugin, z, type MonitorSample, type PipewrightEvents } from '@pipewright/plugin-api'
import { createMemoryStore } from '@pipewright/store-api'
import { DEPLOYER } from '../../src/deploy/deployer.js'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'
import { processTargetPlugin, recordingDeployer, until } from './helpers.js'

// A recording deployer: the watch's decisions (alerts, healing runs and their limit) are under test.

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

/** `live/errors`: samples `{ errors }` from a value the test changes, every 20 ms. */
const live = { errors: 0 }
const probe = definePlugin({
  id: 'live',
  apiVersion: 1,
  register(api) {
    api.monitor('errors', {
      configSchema: z.object({ interval: z.number().default(20), url: z.string() }),
      start(_ctx, config) {
        const stop = new AbortController()
        async function* samples(): AsyncGenerator<MonitorSample> {
          while (!stop.signal.aborted) {
            yield { at: Date.now(), healthy: live.errors === 0, values: { errors: live.errors }, reason: `${config.url} errors=${live.errors}` }
            await new Promise((r) => setTimeout(r, config.interval))
          }
        }
        return { samples: samples(), stop: async () => stop.abort() }
      },
    })
  },
})

const PIPELINE = `name: shop
environments:
  staging:
    url: http://127.0.0.1:18301
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    monitors:
      interval: 20
      unhealthy-after: 2
      healthy-after: 2
      failure-condition: result.errors > 0
      monitors: [{ uses: live/errors, with: { url: /healthz } }]
      healing: { action: restart, max: 2, backoff: 50ms }
stages:
  deploy:
    deploy: { environment: staging, version: "1.0.0", from: . }
`

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

  it('refuses an environment without monitors, saying how to add them', async () => {
    project = await tempProject(PIPELINE.replace(/ {4}monitors:[\s\S]*?healing: .*\n/, ''))
    const engine = createEngine({ plugins: [processTargetPlugin, probe] })
    await expect(engine.watchEnvironment(await engine.load(project.file), 'staging', { signal: new AbortController().signal })).rejects.toMatchObject({ code: 'PW_ERR_CONFIG_INVALID', message: 'Environment staging declares no monitors: there is nothing to watch' })
  })
})
