import { join } from 'node:path'
import type { LoadedTarget, TargetCatalog } from '@pipewright/core'
import {
  PipewrightError,
  isPipewrightError,
  type InstanceHandle,
  type InstanceLiveness,
  type InstanceSpec,
  type Logger,
  type Problem,
  type ReleaseSource,
  type TargetContext,
} from '@pipewright/plugin-api'
import type { TargetRef } from './protocol.js'

/**
 * One target type as the agent calls it: its `with:` validated, a context built per call, and
 * every unexpected throw wrapped so the message names the plugin and the method.
 */
export class TargetDriver {
  readonly dataDir: string

  constructor(
    private readonly loaded: LoadedTarget,
    dataRoot: string,
    private readonly logger: Logger,
  ) {
    const [plugin, name] = loaded.uses.split('/') as [string, string]
    this.dataDir = join(dataRoot, 'targets', plugin, name)
  }

  get uses(): string {
    return this.loaded.uses
  }

  /** Validates an environment's `target.with`; throws PW_ERR_CONFIG_INVALID with every problem. */
  parseConfig(config: Record<string, unknown>, where: string): unknown {
    const schema = this.loaded.definition.configSchema
    if (!schema) return config
    const parsed = schema.safeParse(config)
    if (parsed.success) return parsed.data
    const problems: Problem[] = parsed.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }))
    throw new PipewrightError('PW_ERR_CONFIG_INVALID', `${where} (${this.uses}) is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { problems })
  }

  private context(environment: string, signal: AbortSignal): TargetContext {
    return {
      target: this.uses,
      environment,
      dataDir: this.dataDir,
      logger: this.logger,
      signal,
      pluginConfig: this.loaded.pluginConfig,
      resolve: (token) => this.loaded.resolver.resolve(token),
    }
  }

  private async call<T>(method: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      if (isPipewrightError(error)) throw error
      const message = error instanceof Error ? error.message : String(error)
      throw new PipewrightError('PW_ERR_PLUGIN_HOOK', `Plugin ${this.loaded.pluginId} failed in target ${this.uses} ${method}: ${message}`, { cause: error, plugin: this.loaded.pluginId })
    }
  }

  prepare(environment: string, config: unknown, version: string, source: ReleaseSource, signal: AbortSignal): Promise<ReleaseSource> {
    const definition = this.loaded.definition
    if (!definition.prepare) return Promise.resolve(source)
    return this.call('prepare', () => definition.prepare!(this.context(environment, signal), config, { ...source, environment, version }))
  }

  async start(config: unknown, spec: InstanceSpec, signal: AbortSignal): Promise<InstanceHandle> {
    const handle = await this.call('start', () => this.loaded.definition.start(this.context(spec.environment, signal), config, spec))
    return { ...handle, target: this.uses }
  }

  stop(config: unknown, handle: InstanceHandle, graceMs: number): Promise<void> {
    return this.call('stop', () => this.loaded.definition.stop(this.context(handle.environment, new AbortController().signal), config, handle, { graceMs }))
  }

  async check(config: unknown, handle: InstanceHandle): Promise<InstanceLiveness> {
    try {
      return await this.loaded.definition.check(this.context(handle.environment, new AbortController().signal), config, handle)
    } catch (error) {
      // A target that cannot tell (engine unreachable) is not a crash: the instance keeps its traffic.
      return { alive: true, reason: `unknown: ${error instanceof Error ? error.message : String(error)}` }
    }
  }

  async adopt(config: unknown, handle: InstanceHandle): Promise<InstanceHandle | undefined> {
    const definition = this.loaded.definition
    const ctx = this.context(handle.environment, new AbortController().signal)
    if (definition.adopt) return this.call('adopt', () => definition.adopt!(ctx, config, handle))
    return (await this.check(config, handle)).alive ? handle : undefined
  }
}

/** Drivers by `uses`, created on first use. */
export class TargetDrivers {
  private readonly drivers = new Map<string, TargetDriver>()

  constructor(
    private readonly catalog: TargetCatalog,
    private readonly dataRoot: string,
    private readonly logger: Logger,
  ) {}

  list(): string[] {
    return this.catalog.list()
  }

  get(ref: Pick<TargetRef, 'uses'>): TargetDriver {
    let driver = this.drivers.get(ref.uses)
    if (!driver) {
      const loaded = this.catalog.get(ref.uses)
      if (!loaded) {
        throw new PipewrightError('PW_ERR_TARGET_NOT_FOUND', `No deployment target ${ref.uses} is loaded in the agent`, {
          details: `Loaded targets: ${this.catalog.list().join(', ') || '(none)'}. A third-party target's plugin must be given to the agent (ensureAgent({ plugins }) / --plugin).`,
        })
      }
      driver = new TargetDriver(loaded, this.dataRoot, this.logger)
      this.drivers.set(ref.uses, driver)
    }
    return driver
  }
}
