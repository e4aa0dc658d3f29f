import type { DependencyContainer } from 'tsyringe'
import satisfies from 'semver/functions/satisfies.js'
import {
  API_VERSION,
  checkErrorCodes,
  registerErrorCodes,
  type HookOptions,
  type LifecycleHooks,
  LOGGER,
  PipewrightError,
  PLUGIN_CONFIG,
  PLUGIN_ID_PATTERN,
  isPipewrightError,
  type GateDefinition,
  type Logger,
  type MonitorDefinition,
  type NotifierDefinition,
  type PluginApi,
  type Problem,
  type Resolver,
  type StageDefinition,
  type Token,
  type TargetDefinition,
} from '@pipewright/plugin-api'
import { createContainer, registerProvider, toResolver } from '../engine/container.js'
import { zodProblems } from './zod-problems.js'
import type { ResolvedPlugin } from './resolve.js'

const TYPE_NAME = /^[a-z][a-z0-9-]*$/

export interface RegisteredType<D> {
  pluginId: string
  uses: string
  definition: D
  container: DependencyContainer
  pluginConfig: unknown
}

export interface LoadedPluginInfo {
  id: string
  version?: string
  /** Package name (or path, or `inline`). */
  source: string
  /** Given to the engine as an object (the CLI's first-party plugins), not imported from a package. */
  builtIn: boolean
  resolved: ResolvedPlugin
  container: DependencyContainer
  config: unknown
  stages: string[]
  gates: string[]
  monitors: string[]
  notifiers: string[]
  targets: string[]
}

/** Loads plugins onto the engine: checks ids, api versions, duplicates, dependencies and config. */
export class PluginHost {
  readonly loaded = new Map<string, LoadedPluginInfo>()
  readonly stages = new Map<string, RegisteredType<StageDefinition<any, any>>>()
  readonly gates = new Map<string, RegisteredType<GateDefinition<any, any>>>()
  readonly monitors = new Map<string, RegisteredType<MonitorDefinition<any, any>>>()
  readonly notifiers = new Map<string, RegisteredType<NotifierDefinition<any, any>>>()
  /** Which plugin provides each service token (for the message when another plugin reaches for it). */
  private readonly providers = new Map<symbol, string>()
  readonly targets = new Map<string, RegisteredType<TargetDefinition<any, any>>>()
  /** Lifecycle hooks plugins joined, in load order. */
  readonly hooks: Array<{ pluginId: string; hooks: LifecycleHooks<any>; options: HookOptions; container: DependencyContainer; pluginConfig: unknown }> = []

  constructor(
    private readonly engineContainer: DependencyContainer,
    private readonly loggerFor: (pluginId: string) => Logger,
    private readonly apiPackageVersion: string,
  ) {}

  /** Registers plugins in dependency order. Already-loaded identical plugin objects are ignored. */
  async add(plugins: ResolvedPlugin[]): Promise<void> {
    const fresh = plugins.filter((r) => {
      const existing = this.loaded.get(r.plugin.id)
      if (existing && existing.resolved.plugin === r.plugin) return false
      return true
    })
    for (const r of fresh) this.check(r, fresh)
    for (const r of orderByDependencies(fresh, new Set(this.loaded.keys()))) await this.register(r)
  }

  private check(r: ResolvedPlugin, batch: ResolvedPlugin[]): void {
    const p = r.plugin
    const label = r.name ? `${r.name}@${r.version ?? '?'}` : r.spec
    if (typeof p.id !== 'string' || !PLUGIN_ID_PATTERN.test(p.id)) {
      throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `Plugin ${label} has an invalid id ${JSON.stringify(p.id)}`, { details: 'Plugin ids match /^[a-z][a-z0-9-]*$/.' })
    }
    if (typeof p.register !== 'function') {
      throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `Plugin ${p.id} (${label}) has no register(api) function`)
    }
    const rangeOk = r.apiRange === undefined || r.apiRange.startsWith('workspace:') || satisfies(this.apiPackageVersion, r.apiRange, { includePrerelease: true })
    if (p.apiVersion !== API_VERSION || !rangeOk) {
      throw new PipewrightError(
        'PW_ERR_PLUGIN_INCOMPATIBLE',
        `Plugin ${p.id} (${label}) needs plugin-api ${r.apiRange ?? `v${p.apiVersion}`} (apiVersion ${p.apiVersion}); this engine has @pipewright/plugin-api ${this.apiPackageVersion} (apiVersion ${API_VERSION})`,
        { details: `Install a version of ${r.name ?? p.id} built for @pipewright/plugin-api ${this.apiPackageVersion}, or a Pipewright version matching ${r.apiRange ?? `apiVersion ${p.apiVersion}`}.` },
      )
    }
    const other = this.loaded.get(p.id) ?? batch.find((b) => b !== r && b.plugin.id === p.id && b.plugin !== p ? true : false)
    if (other) {
      const otherLabel = 'resolved' in other ? other.source : (other.name ?? other.spec)
      throw new PipewrightError('PW_ERR_PLUGIN_DUPLICATE', `Two plugins use the id "${p.id}": ${label} and ${otherLabel}`, { details: 'Load each plugin once; remove one of them from `plugins:`.' })
    }
  }

  private async register(r: ResolvedPlugin): Promise<void> {
    const p = r.plugin
    let config: unknown = r.config ?? {}
    if (p.configSchema) {
      const parsed = p.configSchema.safeParse(r.config ?? {})
      if (!parsed.success) {
        const problems: Problem[] = zodProblems(parsed.error, `plugins.${p.id}.config`)
        throw new PipewrightError('PW_ERR_PLUGIN_CONFIG', `Plugin ${p.id} configuration is invalid`, { problems })
      }
      config = parsed.data
    }
    if (p.errors) {
      const problems = checkErrorCodes(p.id, p.errors)
      if (problems.length > 0) {
        throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `Plugin ${p.id} declares invalid error codes`, { details: problems.join('; ') })
      }
    }
    const container = createContainer(this.engineContainer)
    // Encapsulation: a plugin sees the engine's services, its own, and those of the plugins it
    // declares in dependsOn (already registered: plugins load in dependency order).
    for (const dep of p.dependsOn ?? []) {
      const provider = this.loaded.get(dep)
      if (!provider) continue
      for (const [token, owner] of this.providers) {
        if (owner === dep) container.register(token, { useFactory: () => provider.container.resolve(token) })
      }
    }
    const logger = this.loggerFor(p.id)
    container.register(PLUGIN_CONFIG, { useValue: config })
    container.register(LOGGER, { useValue: logger })
    const info: LoadedPluginInfo = {
      id: p.id,
      // The installed package.json is the truth; a version written in definePlugin goes stale after a release.
      ...(r.version ?? p.version ? { version: r.version ?? p.version } : {}),
      source: r.name ?? r.spec,
      builtIn: r.spec === 'inline',
      resolved: r,
      container,
      config,
      stages: [],
      gates: [],
      monitors: [],
      notifiers: [],
      targets: [],
    }
    const add = <D>(kind: 'stage' | 'gate' | 'monitor' | 'notifier' | 'target', map: Map<string, RegisteredType<D>>, list: string[]) => (name: string, definition: D) => {
      if (!TYPE_NAME.test(name)) throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `Plugin ${p.id} registers ${kind} "${name}": names match /^[a-z][a-z0-9-]*$/`)
      const uses = `${p.id}/${name}`
      if (map.has(uses)) throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `Plugin ${p.id} registers ${kind} ${uses} twice`)
      map.set(uses, { pluginId: p.id, uses, definition, container, pluginConfig: config })
      list.push(uses)
    }
    const api: PluginApi = {
      id: p.id,
      config,
      logger,
      stage: add('stage', this.stages, info.stages),
      gate: add('gate', this.gates, info.gates),
      monitor: add('monitor', this.monitors, info.monitors),
      notifier: add('notifier', this.notifiers, info.notifiers),
      target: add('target', this.targets, info.targets),
      provide: (token, provider) => {
        const owner = this.providers.get(token)
        if (owner !== undefined && owner !== p.id) {
          throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `Plugin ${p.id} provides ${describeToken(token)}, which plugin ${owner} already provides`, {
            details: 'Each service token has one provider; use your own token (createToken) for your own service.',
          })
        }
        // Factories run in the providing plugin's scope and resolve their own dependencies there.
        registerProvider(container, token, provider)
        this.providers.set(token, p.id)
      },
      hooks: (hooks, options = {}) => {
        this.hooks.push({ pluginId: p.id, hooks, options, container, pluginConfig: config })
      },
    }
    if (p.errors) registerErrorCodes(p.id, p.errors)
    await callPlugin(p.id, 'register', () => p.register(api))
    this.loaded.set(p.id, info)
  }

  /** The engine-diagnostics logger of a plugin (not a stage log). */
  loggerOf(pluginId: string): Logger {
    return this.loggerFor(pluginId)
  }

  /**
   * What a plugin's code resolves services with: its own container, which holds the engine's
   * services, its own and those of the plugins it depends on. A service another plugin provides
   * is refused with a message naming both plugins.
   */
  resolverFor(pluginId: string): Resolver {
    const info = this.loaded.get(pluginId)
    if (!info) throw new PipewrightError('PW_ERR_INTERNAL', `Plugin ${pluginId} is not loaded`)
    const inner = toResolver(info.container)
    return {
      resolve: <T>(token: Token<T>): T => {
        if (inner.isRegistered(token)) return inner.resolve(token)
        const owner = this.providers.get(token)
        if (owner !== undefined) {
          throw new PipewrightError('PW_ERR_SERVICE_NOT_VISIBLE', `Plugin ${pluginId} resolved ${describeToken(token)}, which plugin ${owner} provides, but ${pluginId} does not depend on ${owner}`, {
            details: `Add '${owner}' to the dependsOn of plugin ${pluginId}: a plugin's services are visible only to itself and to the plugins that depend on it.`,
            plugin: pluginId,
          })
        }
        return inner.resolve(token)
      },
      isRegistered: (token) => inner.isRegistered(token),
    }
  }
}

function describeToken(token: symbol): string {
  return token.description?.replace(/^pipewright:/, '') ?? String(token)
}

/**
 * Runs a plugin hook. Errors carry the plugin's name: a PipewrightError keeps its code and gets
 * `plugin` set; anything else becomes PW_ERR_PLUGIN_HOOK naming the plugin and the hook.
 */
export async function callPlugin<T>(pluginId: string, hook: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (isPipewrightError(error)) {
      error.plugin ??= pluginId
      throw error
    }
    const message = error instanceof Error ? error.message : String(error)
    throw new PipewrightError('PW_ERR_PLUGIN_HOOK', `Plugin ${pluginId} failed in ${hook}: ${message}`, { cause: error, plugin: pluginId })
  }
}

function orderByDependencies(batch: ResolvedPlugin[], alreadyLoaded: Set<string>): ResolvedPlugin[] {
  const byId = new Map(batch.map((r) => [r.plugin.id, r]))
  const ordered: ResolvedPlugin[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (r: ResolvedPlugin, chain: string[]) => {
    const id = r.plugin.id
    if (state.get(id) === 'done') return
    if (state.get(id) === 'visiting') {
      throw new PipewrightError('PW_ERR_PLUGIN_DEPENDENCY', `Plugins depend on each other in a cycle: ${[...chain, id].join(' → ')}`)
    }
    state.set(id, 'visiting')
    for (const dep of r.plugin.dependsOn ?? []) {
      const d = byId.get(dep)
      if (d) visit(d, [...chain, id])
      else if (!alreadyLoaded.has(dep)) {
        throw new PipewrightError('PW_ERR_PLUGIN_DEPENDENCY', `Plugin ${id} depends on plugin "${dep}", which is not loaded`, { details: `Add the package that provides "${dep}" to \`plugins:\`.` })
      }
    }
    state.set(id, 'done')
    ordered.push(r)
  }
  for (const r of batch) visit(r, [])
  return ordered
}
