import { describe, expectTypeOf, it } from 'vitest'
import {
  createToken,
  definePlugin,
  z,
  type GateContext,
  type GateResult,
  type MonitorSample,
  type Notification,
  type NotifierContext,
  type InstanceHandle,
  type InstanceSpec,
  type TargetContext,
  type PipewrightEvents,
  type Plugin,
  type PluginApi,
  type Resolver,
  type StageContext,
  type Token,
} from './index.js'

// These tests pin the public contract: a change that breaks plugin authors fails to compile here.
describe('plugin-api types', () => {
  it('definePlugin infers the plugin config from its schema', () => {
    const plugin = definePlugin({
      id: 'typed',
      apiVersion: 1,
      configSchema: z.object({ host: z.string().default('local') }),
      register(api) {
        expectTypeOf(api.config).toEqualTypeOf<{ host: string }>()
        expectTypeOf(api).toMatchTypeOf<PluginApi<{ host: string }>>()
      },
    })
    expectTypeOf(plugin).toMatchTypeOf<Plugin>()
    expectTypeOf(plugin.id).toEqualTypeOf<string>()
  })

  it('stage run receives a typed config and a StageContext', () => {
    definePlugin({
      id: 'typed',
      apiVersion: 1,
      register(api) {
        api.stage('build', {
          configSchema: z.object({ tag: z.string(), push: z.boolean().optional() }),
          run(ctx, config) {
            expectTypeOf(ctx).toMatchTypeOf<StageContext>()
            expectTypeOf(config).toEqualTypeOf<{ tag: string; push?: boolean | undefined }>()
            expectTypeOf(ctx.outputs.set).parameters.toEqualTypeOf<[string, string | number | boolean]>()
            expectTypeOf(ctx.exec).returns.resolves.toMatchTypeOf<{ exitCode: number; stdout: string }>()
          },
        })
        api.gate('check', {
          configSchema: z.object({ max: z.number() }),
          evaluate(ctx, config) {
            expectTypeOf(ctx).toMatchTypeOf<GateContext>()
            expectTypeOf(ctx.stage.outputs).toEqualTypeOf<Readonly<Record<string, string>>>()
            expectTypeOf(config.max).toEqualTypeOf<number>()
            return { verdict: 'pass', reason: 'ok' }
          },
        })
      },
    })
    expectTypeOf<GateResult['verdict']>().toEqualTypeOf<'pass' | 'fail' | 'pending'>()
  })

  it('a target receives a typed config, the instance spec, and returns a serializable handle', () => {
    definePlugin({
      id: 'typed',
      apiVersion: 1,
      configSchema: z.object({ region: z.string().default('local') }),
      register(api) {
        api.target('box', {
          configSchema: z.object({ command: z.string() }),
          prepare(_ctx, _config, release) {
            expectTypeOf(release.version).toEqualTypeOf<string>()
            return { directory: release.directory ?? '/tmp' }
          },
          start(ctx, config, spec) {
            expectTypeOf(ctx).toMatchTypeOf<TargetContext<{ region: string }>>()
            expectTypeOf(config.command).toEqualTypeOf<string>()
            expectTypeOf(spec).toEqualTypeOf<InstanceSpec>()
            return { id: spec.id, target: 'typed/box', environment: spec.environment, version: spec.version, host: spec.host, port: spec.port, startedAt: 0, data: { log: '/tmp/x.log' } }
          },
          stop(_ctx, _config, handle, options) {
            expectTypeOf(handle).toEqualTypeOf<InstanceHandle>()
            expectTypeOf(options.graceMs).toEqualTypeOf<number>()
          },
          check: () => ({ alive: false, reason: 'exited with code 1', exitCode: 1 }),
        })
      },
    })
  })

  it('tokens carry the type of their service', () => {
    const CLIENT = createToken<{ ping(): Promise<boolean> }>('client')
    expectTypeOf(CLIENT).toEqualTypeOf<Token<{ ping(): Promise<boolean> }>>()
    const resolveClient = (resolver: Resolver) => resolver.resolve(CLIENT)
    expectTypeOf(resolveClient).returns.toEqualTypeOf<{ ping(): Promise<boolean> }>()
  })

  it('notifiers read secrets and get the facts of a notification as optional fields', () => {
    definePlugin({
      id: 'typed',
      apiVersion: 1,
      register(api) {
        api.notifier('post', {
          configSchema: z.object({ 'signing-secret': z.string() }),
          notify(ctx, notification, config) {
            expectTypeOf(ctx).toMatchTypeOf<NotifierContext>()
            expectTypeOf(ctx.secrets.get(config['signing-secret'])).toEqualTypeOf<string | undefined>()
            expectTypeOf(ctx.redact).toEqualTypeOf<(text: string) => string>()
            expectTypeOf(notification).toEqualTypeOf<Notification>()
          },
        })
        api.monitor('probe', {
          start(ctx) {
            expectTypeOf(ctx.stageId).toEqualTypeOf<string>()
            const samples = (async function* (): AsyncGenerator<MonitorSample> {})()
            return { samples, stop: async () => {} }
          },
        })
      },
    })
    // Everything beyond event, title, text and severity stays optional: older engines omit it.
    const minimal: Notification = { event: 'run:finished', title: 't', text: 'x', severity: 'info' }
    expectTypeOf(minimal.id).toEqualTypeOf<string | undefined>()
    expectTypeOf<Notification['stageId'] | Notification['environment'] | Notification['reason']>().toEqualTypeOf<string | undefined>()
  })

  it('events are a typed map', () => {
    expectTypeOf<PipewrightEvents['stage:log']['stream']>().toEqualTypeOf<'stdout' | 'stderr' | 'system'>()
    expectTypeOf<PipewrightEvents['run:finished']['status']>().toMatchTypeOf<string>()
  })
})
