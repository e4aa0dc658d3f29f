import { afterEach, describe, expect, it } from 'vitest'
import { definePlugin, z, type MonitorSample, type Notification } from '@pipewright/plugin-api'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

/** `probe/steps`: yields the configured health verdicts, one per sample. */
const probe = definePlugin({
  id: 'probe',
  apiVersion: 1,
  register(api) {
    api.monitor('steps', {
      configSchema: z.object({ healthy: z.array(z.boolean()) }),
      start(_ctx, config) {
        let stopped = false
        async function* samples(): AsyncGenerator<MonitorSample> {
          for (const [i, healthy] of config.healthy.entries()) {
            if (stopped) return
            yield { at: i, healthy, values: { errors: healthy ? 0 : 7 }, reason: healthy ? 'ok' : 'error rate 7%' }
          }
        }
        return { samples: samples(), stop: async () => void (stopped = true) }
      },
    })
  },
})

/** A post-deploy check as a verify hook: reads the monitor's samples and fails the stage on the first unhealthy one. */
const verifier = definePlugin({
  id: 'verifier',
  apiVersion: 1,
  register(api) {
    api.hooks({
      async verify(ctx) {
        const plan = ctx.stage.spec.env as Record<string, string> | undefined
        if (!plan?.HEALTH) return
        const monitor = await ctx.monitors.start('probe/steps', { healthy: plan.HEALTH.split(',').map((v) => v === 'up') })
        try {
          for await (const sample of monitor.samples) if (!sample.healthy) return { fail: `unhealthy after deploy: ${sample.reason}` }
        } finally {
          await monitor.stop()
        }
      },
    })
  },
})

describe('monitors in the lifecycle', () => {
  it('a verify hook runs a monitor; its samples are events; an unhealthy sample fails the stage', async () => {
    project = await tempProject(`
name: verified
stages:
  good: { run: "true", env: { HEALTH: "up,up,up" } }
  bad: { run: "true", env: { HEALTH: "up,down,up" } }
`)
    const run = await runFile(project.file, {}, { plugins: [probe, verifier] })
    expect(run.stage('good').status).toBe('succeeded')
    expect(run.stage('bad')).toMatchObject({ status: 'failed', error: { message: 'unhealthy after deploy: error rate 7%', plugin: 'verifier' } })
    const samples = run.of('monitor:sample')
    expect(samples.filter((s) => s.stageId === 'good').map((s) => s.healthy)).toEqual([true, true, true])
    expect(samples.filter((s) => s.stageId === 'bad').map((s) => [s.healthy, s.values.errors])).toEqual([[true, 0], [false, 7]])
  })
})

describe('notifications', () => {
  const inbox: Array<{ notification: Notification; config: unknown }> = []
  const chat = definePlugin({
    id: 'chat',
    apiVersion: 1,
    register(api) {
      api.notifier('post', { configSchema: z.object({ channel: z.string(), token: z.string() }), notify: (_ctx, notification, config) => void inbox.push({ notification, config }) })
      api.notifier('down', { notify: () => { throw new Error('chat server answered 503') } })
    },
  })

  it('the engine calls the routed notifiers from events; a failing channel is recorded and never fails the run', async () => {
    inbox.length = 0
    project = await tempProject(`
name: notified
secrets: [CHAT_TOKEN]
notify:
  - on: [run:failed, stage:failed]
    uses: chat/post
    with: { channel: "#ops", token: "\${{ secrets.CHAT_TOKEN }}" }
  - on: [run:finished]
    uses: chat/down
stages:
  ok: { run: "true" }
  broken: { run: 'echo "token is $T" >&2; exit 4', env: { T: "\${{ secrets.CHAT_TOKEN }}" } }
`)
    const run = await runFile(project.file, { secrets: { CHAT_TOKEN: 'xoxb-very-secret' } }, { plugins: [chat], baseUrl: 'http://127.0.0.1:8080/' })
    expect(run.result.status).toBe('failed')
    expect(inbox.map((m) => m.notification.event)).toEqual(['stage:failed', 'run:failed'])
    expect(inbox[0]!.config).toEqual({ channel: '#ops', token: 'xoxb-very-secret' })
    const failed = inbox[1]!.notification
    expect(failed).toMatchObject({ title: 'notified: run failed at broken', severity: 'error', url: `http://127.0.0.1:8080/runs/${run.result.id}`, fields: { pipeline: 'notified', run: run.result.id } })
    expect(failed.text).toContain('broken: Stage broken exited with code 4')
    expect(JSON.stringify(inbox.map((m) => m.notification))).not.toContain('xoxb-very-secret')
    expect(run.of('notification:sent').map((n) => n.event)).toEqual(['stage:failed', 'run:failed'])
    expect(run.of('notification:failed')).toEqual([expect.objectContaining({ notifier: 'chat/down', event: 'run:finished', error: expect.objectContaining({ code: 'PW_ERR_PLUGIN_HOOK', message: expect.stringContaining('chat server answered 503') }) })])
  })
})
