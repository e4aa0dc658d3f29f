import type { z } from 'zod'
import type {
  GateContext,
  GateResult,
  Logger,
  MonitorContext,
  MonitorHandle,
  Notification,
  NotifierContext,
  StageContext,
} from './context.js'
import type { TargetDefinition } from './deploy.js'
import type { ErrorCodeInfo } from './errors.js'
import type { HookOptions, LifecycleHooks } from './lifecycle.js'
import type { Provider, Token } from './tokens.js'

/** The plugin-api major version this package implements. Plugins declare the one they target. */
export const API_VERSION = 1

type Awaitable<T> = T | Promise<T>

export interface StageDefinition<TConfig = unknown, TPluginConfig = unknown> {
  description?: string
  /** Validates `with:`; every problem is reported before anything runs. */
  configSchema?: z.ZodType<TConfig>
  /** Names of the outputs the stage sets, for docs and `pipewright plugins`. */
  outputs?: string[]
  /**
   * Record kinds the stage saves with `ctx.records.save` (e.g. `linter.problems`), so validation
   * can tell a gate that `reads` one of them whether this stage will have it.
   */
  records?: string[]
  /** Runs the stage. Throw (ideally a PipewrightError) to fail it. */
  run(ctx: StageContext<TPluginConfig>, config: TConfig): Awaitable<void>
}

export interface GateDefinition<TConfig = unknown, TPluginConfig = unknown> {
  description?: string
  configSchema?: z.ZodType<TConfig>
  /**
   * Record kinds the gate judges (`ctx.records.get`). Validation reports the gate on a stage
   * that writes none of them: a `run:` stage, or a stage type whose `records` lack them.
   * Without `reads`, the gate may go on any stage.
   */
  reads?: string[]
  /** Fires after the gated stage finished; a `fail` verdict fails the stage. */
  evaluate(ctx: GateContext<TPluginConfig>, config: TConfig): Awaitable<GateResult>
}

export interface MonitorDefinition<TConfig = unknown, TPluginConfig = unknown> {
  description?: string
  configSchema?: z.ZodType<TConfig>
  /** Starts observing; the engine reads samples until it calls `stop()`. */
  start(ctx: MonitorContext<TPluginConfig>, config: TConfig): Awaitable<MonitorHandle>
}

export interface NotifierDefinition<TConfig = unknown, TPluginConfig = unknown> {
  description?: string
  configSchema?: z.ZodType<TConfig>
  /** Delivers one notification; throw to report a delivery failure. */
  notify(ctx: NotifierContext<TPluginConfig>, notification: Notification, config: TConfig): Awaitable<void>
}

/** What `register(api)` receives: the only way a plugin adds things to the engine. */
export interface PluginApi<TPluginConfig = unknown> {
  readonly id: string
  /** The plugin's own configuration, validated against its `configSchema`. */
  readonly config: TPluginConfig
  readonly logger: Logger
  /** Adds stage type `<plugin-id>/<name>`. */
  stage<TConfig>(name: string, definition: StageDefinition<TConfig, TPluginConfig>): void
  /** Adds gate type `<plugin-id>/<name>`. */
  gate<TConfig>(name: string, definition: GateDefinition<TConfig, TPluginConfig>): void
  /** Adds monitor type `<plugin-id>/<name>`. */
  monitor<TConfig>(name: string, definition: MonitorDefinition<TConfig, TPluginConfig>): void
  /** Adds notifier type `<plugin-id>/<name>`. */
  notifier<TConfig>(name: string, definition: NotifierDefinition<TConfig, TPluginConfig>): void
  /** Adds deployment target type `<plugin-id>/<name>` (an environment's `target: { uses }`). */
  target<TConfig>(name: string, definition: TargetDefinition<TConfig, TPluginConfig>): void
  /**
   * Registers a service. It is visible to this plugin and to plugins that declare this one in
   * `dependsOn`; any other plugin resolving it gets PW_ERR_SERVICE_NOT_VISIBLE.
   */
  provide<T>(token: Token<T>, provider: Provider<T>): void
  /** Joins the lifecycle of every stage (and run): see `LifecycleHooks` for when each hook fires. */
  hooks(hooks: LifecycleHooks<TPluginConfig>, options?: HookOptions): void
}

export interface PluginDefinition<TSchema extends z.ZodType = z.ZodType> {
  /** Unique id, `/^[a-z][a-z0-9-]*$/`; the prefix of every type the plugin adds. */
  id: string
  /** The plugin-api major version the plugin was written for. */
  apiVersion: number
  /** The plugin package's version, shown by `pipewright plugins`. */
  version?: string
  description?: string
  configSchema?: TSchema
  /** Ids of plugins that must be loaded (and registered) before this one, and whose services it resolves. */
  dependsOn?: string[]
  /**
   * The plugin's own error codes, each `PW_ERR_<ID>_<WHAT>` (id upper-cased, `-` as `_`),
   * registered when the plugin loads; build them with `defineErrorCodes` to keep their names typed.
   */
  errors?: Record<string, ErrorCodeInfo>
  /** Fires once when the engine loads the plugin. */
  register(api: PluginApi<z.output<TSchema>>): Awaitable<void>
}

const PLUGIN_BRAND = Symbol.for('pipewright.plugin')

export type Plugin<TSchema extends z.ZodType = z.ZodType> = Readonly<PluginDefinition<TSchema>> & { readonly [PLUGIN_BRAND]: true }

export const PLUGIN_ID_PATTERN = /^[a-z][a-z0-9-]*$/

/** Declares a plugin. The returned object is frozen and opaque: export it as the default export. */
export function definePlugin<TSchema extends z.ZodType = z.ZodType>(definition: PluginDefinition<TSchema>): Plugin<TSchema> {
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true as const })
}

export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true
}
