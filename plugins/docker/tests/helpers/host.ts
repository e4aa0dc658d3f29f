import type {
  GateDefinition,
  Plugin,
  PluginApi,
  Provider,
  Resolver,
  StageDefinition,
  Token,
} from '@pipewright/plugin-api'
import { PipewrightError } from '@pipewright/plugin-api'

export interface LoadedTestPlugin {
  /** The plugin config after its schema parsed it (what stages see as `ctx.pluginConfig`). */
  config: any
  resolver: Resolver
  /** Tokens the plugin provided. */
  provided: Token<unknown>[]
  stages: Map<string, StageDefinition<any, any>>
  gates: Map<string, GateDefinition<any, any>>
}

/**
 * Registers a plugin the way a host does (validated config, `register(api)`, singleton
 * providers), so tests can resolve its services and call its stages before the engine runs them.
 */
export async function loadTestPlugin(plugin: Plugin, config: unknown = {}): Promise<LoadedTestPlugin> {
  const providers = new Map<symbol, Provider<unknown>>()
  const instances = new Map<symbol, unknown>()
  const stages = new Map<string, StageDefinition<any, any>>()
  const gates = new Map<string, GateDefinition<any, any>>()
  const parsed = plugin.configSchema ? plugin.configSchema.parse(config) : config
  const noop = (): void => undefined

  const resolver: Resolver = {
    resolve<T>(token: Token<T>): T {
      if (instances.has(token)) return instances.get(token) as T
      const provider = providers.get(token)
      if (!provider) throw new PipewrightError('PW_ERR_SERVICE_NOT_FOUND', `No provider for ${String(token)}`)
      const value = 'useValue' in provider ? provider.useValue : 'useFactory' in provider ? provider.useFactory(resolver) : new provider.useClass()
      instances.set(token, value)
      return value as T
    },
    isRegistered: (token) => providers.has(token),
  }

  const api: PluginApi<any> = {
    id: plugin.id,
    config: parsed,
    logger: { debug: noop, info: noop, warn: noop, error: noop },
    stage: (name, definition) => void stages.set(`${plugin.id}/${name}`, definition),
    gate: (name, definition) => void gates.set(`${plugin.id}/${name}`, definition),
    monitor: noop,
    notifier: noop,
    provide: (token, provider) => void providers.set(token, provider as Provider<unknown>),
  }
  await plugin.register(api)
  return { config: parsed, resolver, provided: [...providers.keys()] as Token<unknown>[], stages, gates }
}

/** Validates `with` against the stage's schema (as the engine does) and runs the stage. */
export async function runStage(plugin: LoadedTestPlugin, type: string, ctx: Parameters<StageDefinition['run']>[0], config: unknown): Promise<void> {
  const stage = plugin.stages.get(type)
  if (!stage) throw new Error(`stage type ${type} not registered`)
  await stage.run(ctx, stage.configSchema ? stage.configSchema.parse(config) : config)
}

/** Validates `with` against the gate's schema and evaluates it. */
export async function evaluateGate(plugin: LoadedTestPlugin, type: string, ctx: Parameters<GateDefinition['evaluate']>[0], config: unknown) {
  const gate = plugin.gates.get(type)
  if (!gate) throw new Error(`gate type ${type} not registered`)
  return gate.evaluate(ctx, gate.configSchema ? gate.configSchema.parse(config) : config)
}
