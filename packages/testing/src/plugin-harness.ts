import {
  PLUGIN_CONFIG,
  PipewrightError,
  checkErrorCodes,
  registerErrorCodes,
  type HookOptions,
  type LifecycleHooks,
  type GateDefinition,
  type GateResult,
  type MonitorDefinition,
  type NotifierDefinition,
  type Plugin,
  type PluginApi,
  type Provider,
  type Resolver,
  type StageDefinition,
  type StageStatus,
  type TargetDefinition,
  type Token,
} from '@pipewright/plugin-api'
import { createGateContext, createStageContext, type StageContextOptions, type TestGateContext, type TestStageContext } from './stage-context.js'

/** What a plugin registered, by name (without the `<plugin-id>/` prefix). */
export interface InspectedPlugin {
  id: string
  config: unknown
  stages: Record<string, StageDefinition<any, any>>
  gates: Record<string, GateDefinition<any, any>>
  monitors: Record<string, MonitorDefinition<any, any>>
  notifiers: Record<string, NotifierDefinition<any, any>>
  targets: Record<string, TargetDefinition<any, any>>
  services: Array<[Token<unknown>, Provider<unknown>]>
  /** Lifecycle hooks the plugin joined, in registration order. */
  hooks: Array<{ hooks: LifecycleHooks<any>; options: HookOptions }>
  /**
   * Resolves what the plugin provides (and `PLUGIN_CONFIG`) like the engine's plugin host: each
   * service is built once, on first use. Pass the inspected plugin as `createStageContext({ plugin })`
   * so a stage's `ctx.resolve` reaches them.
   */
  resolver: Resolver
}

function createResolver(services: Array<[Token<unknown>, Provider<unknown>]>, config: unknown): Resolver {
  const built = new Map<symbol, unknown>([[PLUGIN_CONFIG, config]])
  const resolver: Resolver = {
    resolve<T>(token: Token<T>): T {
      if (built.has(token)) return built.get(token) as T
      const provider = services.findLast(([t]) => t === token)?.[1]
      if (!provider) throw new PipewrightError('PW_ERR_SERVICE_NOT_FOUND', `No service registered for ${token.description ?? String(token)}`)
      const value = 'useValue' in provider ? provider.useValue : 'useFactory' in provider ? provider.useFactory(resolver) : new provider.useClass()
      built.set(token, value)
      return value as T
    },
    isRegistered: (token) => built.has(token) || services.some(([t]) => t === token),
  }
  return resolver
}

function parseConfig(schema: { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } } | undefined, value: unknown, where: string): unknown {
  if (!schema) return value
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const problems = (result.error?.issues ?? []).map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }))
  throw new PipewrightError('PW_ERR_PLUGIN_CONFIG', `Invalid configuration for ${where}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems })
}

/** Calls the plugin's `register` against a recording API (config validated by its schema). */
export async function inspectPlugin(plugin: Plugin, options: { config?: Record<string, unknown> } = {}): Promise<InspectedPlugin> {
  const config = parseConfig(plugin.configSchema, options.config ?? {}, `plugin ${plugin.id}`)
  const services: InspectedPlugin['services'] = []
  const inspected: InspectedPlugin = { id: plugin.id, config, stages: {}, gates: {}, monitors: {}, notifiers: {}, targets: {}, services, hooks: [], resolver: createResolver(services, config) }
  if (plugin.errors) {
    // As the engine does on load: a plugin with malformed codes is refused, and its codes resolve to their fixes.
    const problems = checkErrorCodes(plugin.id, plugin.errors)
    if (problems.length > 0) throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `Plugin ${plugin.id} declares invalid error codes: ${problems.join('; ')}`)
    registerErrorCodes(plugin.id, plugin.errors)
  }
  const noop = () => {}
  const api: PluginApi<any> = {
    id: plugin.id,
    config,
    logger: { debug: noop, info: noop, warn: noop, error: noop },
    stage: (name, d) => void (inspected.stages[name] = d),
    gate: (name, d) => void (inspected.gates[name] = d),
    monitor: (name, d) => void (inspected.monitors[name] = d),
    notifier: (name, d) => void (inspected.notifiers[name] = d),
    target: (name, d) => void (inspected.targets[name] = d),
    provide: (token, provider) => void inspected.services.push([token, provider as Provider<unknown>]),
    hooks: (hooks, hookOptions = {}) => void inspected.hooks.push({ hooks, options: hookOptions }),
  }
  await plugin.register(api)
  return inspected
}

function pick<T>(table: Record<string, T>, plugin: Plugin, kind: string, name: string): T {
  const found = table[name]
  if (!found) {
    throw new PipewrightError('PW_ERR_STAGE_NOT_FOUND', `Plugin ${plugin.id} registers no ${kind} "${name}"`, {
      details: `Its ${kind}s: ${Object.keys(table).join(', ') || '(none)'}.`,
    })
  }
  return found
}

/**
 * Runs one stage type of a plugin without an engine: validates `with` by the stage's schema and
 * the plugin config by the plugin's, then calls `run` with a test context. Returns the context,
 * whose `captured` holds outputs, logs, summary and artifacts. A throwing stage rejects.
 */
export async function runStage(
  plugin: Plugin,
  name: string,
  options: StageContextOptions & { with?: Record<string, unknown>; config?: Record<string, unknown> } = {},
): Promise<TestStageContext> {
  const inspected = await inspectPlugin(plugin, options.config ? { config: options.config } : {})
  const stage = pick(inspected.stages, plugin, 'stage', name)
  const config = parseConfig(stage.configSchema, options.with ?? {}, `${plugin.id}/${name}`)
  const ctx = createStageContext({ ...options, plugin: inspected })
  await stage.run(ctx, config)
  return ctx
}

/** Evaluates one gate type of a plugin without an engine; returns its result and context. */
export async function evaluateGate(
  plugin: Plugin,
  name: string,
  options: StageContextOptions & {
    with?: Record<string, unknown>
    config?: Record<string, unknown>
    stage?: { id?: string; status?: StageStatus; outputs?: Record<string, string> }
  } = {},
): Promise<GateResult & { ctx: TestGateContext }> {
  const inspected = await inspectPlugin(plugin, options.config ? { config: options.config } : {})
  const gate = pick(inspected.gates, plugin, 'gate', name)
  const config = parseConfig(gate.configSchema, options.with ?? {}, `${plugin.id}/${name}`)
  const ctx = createGateContext({ ...options, plugin: inspected })
  return { ...(await gate.evaluate(ctx, config)), ctx }
}
