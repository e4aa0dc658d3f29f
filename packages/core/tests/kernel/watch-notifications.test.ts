import { describe, expect, it } from 'vitest'
import { CLOCK, EVENTS, definePlugin, z, type Notification, type PipewrightEvent } from '@pipewright/plugin-api'
import { realClock } from '../../src/engine/clock.js'
import { createContainer } from '../../src/engine/container.js'
import { EventBus } from '../../src/engine/event-bus.js'
import { NotificationDispatcher } from '../../src/engine/notifications.js'
import { apiPackageVersion } from '../../src/engine/plugin-loading.js'
import { pipelineSchema } from '../../src/pipeline/schema.js'
import { PluginHost } from '../../src/plugins/host.js'
import { resolvePluginInput } from '../../src/plugins/inputs.js'
import { createRedactor } from '../../src/security/redact.js'

// Continuous monitoring (another module) declares these events; emitted here by name, as it will.
const emitAny = (bus: EventBus, name: string, payload: Record<string, unknown>) => bus.emit(name as never, payload as never)

const silent = { debug() {}, info() {}, warn() {}, error() {} }

describe('notifications of an environment watch (no run)', () => {
  it('routes the watch\'s own environment events through the pipeline\'s routes, filtered and redacted', async () => {
    const inbox: Notification[] = []
    const pager = definePlugin({
      id: 'pager',
      apiVersion: 1,
      register(api) {
        api.notifier('page', { configSchema: z.object({ key: z.string() }), notify: (_ctx, n, config) => void inbox.push({ ...n, fields: { ...n.fields, key: config.key } }) })
      },
    })
    const container = createContainer()
    container.register(CLOCK, { useValue: realClock })
    container.register(EVENTS, { useValue: new EventBus() })
    const host = new PluginHost(container, () => silent, apiPackageVersion())
    await host.add([await resolvePluginInput(pager, process.cwd())])
    const target = { uses: 'deploy/process', with: { command: ['node', 's.js'] } }
    const spec = pipelineSchema.parse({
      name: 'shop',
      secrets: ['PAGER_KEY'],
      environments: { staging: { url: 'http://127.0.0.1:18401', target }, production: { url: 'http://127.0.0.1:18402', target } },
      notify: [{ on: ['environment:unhealthy', 'environment:recovered'], environments: ['production'], uses: 'pager/page', with: { key: '${{ secrets.PAGER_KEY }}' } }],
      stages: { build: { run: 'true' } },
    })
    const bus = new EventBus()
    const events: PipewrightEvent[] = []
    bus.onAny((type, payload) => events.push({ type, payload } as PipewrightEvent))
    const watchId = 'watch-production-1'
    const dispatcher = new NotificationDispatcher({
      host,
      spec,
      runId: watchId,
      pipeline: { name: 'shop', dir: process.cwd() },
      secrets: new Map([['PAGER_KEY', 'pk-31f9e2']]),
      vars: {},
      redact: createRedactor(['pk-31f9e2']),
      emit: (name, payload) => bus.emit(name, { ...payload, runId: watchId, at: Date.now() } as never),
      baseUrl: 'https://pw.example.com',
    }).attach(bus)

    const samples = [{ monitor: 'monitoring/http', at: 1, healthy: false, values: { status: 500 }, reason: 'GET /healthz answered 500' }]
    emitAny(bus, 'environment:unhealthy', { runId: watchId, environment: 'production', reason: '3 failed measurements in a row (key pk-31f9e2 refused)', samples, at: 1 })
    emitAny(bus, 'environment:unhealthy', { runId: 'watch-staging-1', environment: 'staging', reason: 'another watch', samples: [], at: 2 })
    emitAny(bus, 'environment:recovered', { runId: watchId, environment: 'production', unhealthyForMs: 90_000, at: 3 })
    await dispatcher.settle()

    expect(inbox.map((n) => [n.event, n.title, n.severity])).toEqual([
      ['environment:unhealthy', 'production is unhealthy', 'error'],
      ['environment:recovered', 'production recovered', 'info'],
    ])
    expect(inbox[0]).toMatchObject({ environment: 'production', reason: '3 failed measurements in a row (key *** refused)', url: `https://pw.example.com/runs/${watchId}`, fields: { key: 'pk-31f9e2' } })
    expect(inbox[0]!.text).toContain('• monitoring/http unhealthy: GET /healthz answered 500 (status=500)')
    expect(inbox[1]!.text).toBe('production is healthy again after 90s unhealthy.')
    expect(events.filter((e) => e.type === 'notification:sent')).toHaveLength(2)
  })
})
