import { CLOCK, EVENTS, type Clock, type Logger, type Resolver, type TargetDefinition } from '@pipewright/plugin-api'
import { realClock } from '../engine/clock.js'
import { createContainer } from '../engine/container.js'
import { EventBus } from '../engine/event-bus.js'
import { apiPackageVersion } from '../engine/plugin-loading.js'
import type { PluginInput } from '../engine/types.js'
import { PluginHost } from './host.js'
import { resolvePluginInput } from './inputs.js'
import type { ResolvedPlugin } from './resolve.js'

/** A deployment target type with the scope of the plugin that registered it. */
export interface LoadedTarget {
  /** `<plugin-id>/<name>`. */
  uses: string
  pluginId: string
  definition: TargetDefinition<any, any>
  pluginConfig: unknown
  /** Resolves services as the plugin sees them (its own, and those of the plugins it depends on). */
  resolver: Resolver
}

export interface TargetCatalog {
  get(uses: string): LoadedTarget | undefined
  /** Every target type, in registration order. */
  list(): string[]
  /** The loaded plugins: id, version, and the package (or path) each came from. */
  plugins(): Array<{ id: string; version?: string; source: string }>
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * Loads plugins on the engine's plugin host, without an engine, for a process that only drives
 * deployment targets (the deployment agent). Ids, api versions, dependencies, configs and error
 * codes are checked exactly as `createEngine` checks them.
 */
export async function loadTargets(inputs: PluginInput[], options: { cwd?: string; logger?: Logger; clock?: Clock } = {}): Promise<TargetCatalog> {
  const container = createContainer()
  container.register(CLOCK, { useValue: options.clock ?? realClock })
  container.register(EVENTS, { useValue: new EventBus() })
  const logger = options.logger ?? silentLogger
  const host = new PluginHost(container, (id) => prefixed(logger, id), apiPackageVersion())
  const resolved: ResolvedPlugin[] = []
  for (const input of inputs) resolved.push(await resolvePluginInput(input, options.cwd ?? process.cwd()))
  await host.add(resolved)
  return {
    get(uses) {
      const found = host.targets.get(uses)
      if (!found) return undefined
      return { uses, pluginId: found.pluginId, definition: found.definition, pluginConfig: found.pluginConfig, resolver: host.resolverFor(found.pluginId) }
    },
    list: () => [...host.targets.keys()],
    plugins: () => [...host.loaded.values()].map((p) => ({ id: p.id, ...(p.version ? { version: p.version } : {}), source: p.source })),
  }
}

function prefixed(logger: Logger, id: string): Logger {
  return {
    debug: (m, f) => logger.debug(`[${id}] ${m}`, f),
    info: (m, f) => logger.info(`[${id}] ${m}`, f),
    warn: (m, f) => logger.warn(`[${id}] ${m}`, f),
    error: (m, f) => logger.error(`[${id}] ${m}`, f),
  }
}
