import type { Clock, EventName, EventSource, Logger, Plugin, Problem, Provider, RunStatus, SerializedError, StageStatus, Token } from '@pipewright/plugin-api'
import type { Plan } from '../pipeline/plan.js'
import type { PipelineSpec } from '../pipeline/schema.js'
import type { Store } from '@pipewright/store-api'
import type { RunsApi } from '../record/runs-api.js'

/** A validated pipeline and where it came from. */
export interface LoadedPipeline {
  spec: PipelineSpec
  /** Absolute path of the file, if loaded from one. */
  file?: string
  /** Directory stages run in by default. */
  dir: string
}

/** A plugin given to the engine: the object itself, or a package name / path to import. */
/**
 * A plugin given to the engine: the object itself, or a package name / path to import. An object
 * may say which package it stands for (`name`): a pipeline that lists that package in `plugins:`
 * then gets this one (how the CLI's built-in first-party plugins are found by name).
 */
export type PluginInput = Plugin | string | { package: string | Plugin; name?: string; dir?: string; config?: Record<string, unknown> } | { lazy: LazyPlugin }

/**
 * A plugin the engine imports only when a pipeline needs it: one of its types appears in a
 * `uses:` (stages, gates, notify routes, environments …), its package is listed in `plugins:`,
 * or every plugin is listed (`engine.plugins()`). The CLI gives its first-party plugins this way,
 * so a command never pays for plugins it does not use.
 */
export interface LazyPlugin {
  /** The plugin id: the prefix of its types (`docker` for `docker/build`). */
  id: string
  /** The package it comes from (a pipeline listing it in `plugins:` gets this one). */
  name: string
  /** The package directory (for the cache key's plugin integrity). */
  dir?: string
  load(): Promise<Plugin>
}

/** A replacement for one of the engine's parts (or any service), registered in its container. */
export type ServiceOverride<T = unknown> = { token: Token<T> } & Provider<T>

export interface EngineOptions {
  plugins?: PluginInput[]
  /** Where runs are kept; default an in-memory store. Same as overriding `STORE`. */
  store?: Store
  /** Directory plugin package names resolve from (default: the pipeline's directory, then cwd). */
  cwd?: string
  clock?: Clock
  /** Engine diagnostics (not stage logs). */
  logger?: Logger
  /** Base environment for stages (default process.env). */
  env?: Record<string, string | undefined>
  /**
   * Plugin pinning against `pipewright.lock` next to the pipeline file: `check` (default) pins new
   * plugin packages and refuses changed ones; `off` skips it.
   */
  pins?: 'check' | 'off'
  /**
   * The engine's parts by token — `STORE`, `CLOCK`, `EXECUTOR`, `REDACTION`, `RECORDER`,
   * `DEPLOYER` (what `deploy:` stages call; none by default) — or any
   * other service: registered after the defaults, so they replace them.
   */
  services?: ServiceOverride<any>[]
  /** Runs at once in this engine; more wait as `queued`, in order (default: no limit). */
  maxRuns?: number
  /** Bytes of log the store keeps per stage (default 16 MiB); the live output is never cut. */
  logLimitBytes?: number
  /** The server's public URL: notifications link to `<baseUrl>/runs/<id>` (default: PIPEWRIGHT_SERVER_URL, else the pipeline's `server.url`). */
  baseUrl?: string
}

/** How a pipeline's declared plugin packages compare with its `pipewright.lock`. */
export interface PluginPins {
  lockFile: string
  plugins: Array<{ name: string; version: string; status: 'pinned' | 'new' | 'version' | 'integrity' }>
}

export interface RunOptions {
  /**
   * Run only these stages (by stage or instance id). Needs outside them are not run: their
   * `stages.<id>.outputs` are those of their last success in an earlier run (empty, with a warning
   * in the stage log, when there is none).
   */
  only?: string[]
  /** Start from this stage: it and everything that depends on it (earlier needs as with `only`). */
  from?: string
  noCache?: boolean
  concurrency?: number
  /** `${{ vars.<name> }}` values. */
  vars?: Record<string, string>
  /** Secret values by name (in addition to PIPEWRIGHT_SECRET_<NAME> env and secretFile). */
  secrets?: Record<string, string>
  secretFile?: string
  signal?: AbortSignal
  trigger?: string
  /** Who starts the run (a user name, a token's identity); recorded on the run. */
  triggeredBy?: string
  /** Run for this commit (and branch) of the pipeline's repository: what `${{ git.* }}` describes. Default: HEAD. */
  commit?: { sha: string; branch?: string }
  /** On resume, run again stages marked `idempotent: false` that were interrupted mid-way. */
  rerunNonIdempotent?: boolean
  /** A deploy inside an environment's freeze window fails at once instead of waiting for the window to end (`--no-wait`). */
  noWait?: boolean
}

export interface StageResult {
  id: string
  status: StageStatus
  attempts: number
  exitCode: number | null
  durationMs: number
  outputs: Record<string, string>
  error?: SerializedError
  /** The stage's own account of its result (failing tests, lint counts), when it gave one. */
  summary?: string
}

export interface RunResult {
  id: string
  pipeline: string
  status: Exclude<RunStatus, 'queued' | 'running' | 'interrupted'>
  durationMs: number
  stages: StageResult[]
}

export interface RunHandle {
  readonly id: string
  readonly result: Promise<RunResult>
  cancel(reason?: string): void
}

export interface Engine extends EventSource {
  readonly store: Store
  /** The one read API over runs: list, get, stages, logs, events, artifacts, live handles. */
  readonly runs: RunsApi
  /** Listens to every event, including those plugins declare themselves; returns the unsubscribe function. */
  onAny(listener: (name: EventName, payload: unknown) => void): () => void
  /** Loaded plugins, in registration order. */
  plugins(): Promise<Array<{ id: string; version?: string; source: string; builtIn: boolean; stages: string[]; gates: string[]; monitors: string[]; notifiers: string[] }>>
  /** Reads and validates a pipeline file; throws PW_ERR_CONFIG_INVALID / PW_ERR_YAML_SYNTAX with every problem. */
  load(file: string): Promise<LoadedPipeline>
  /** Every problem in a pipeline file, or []. */
  validate(file: string): Promise<Problem[]>
  plan(pipeline: LoadedPipeline, options?: Pick<RunOptions, 'only' | 'from'>): Promise<Plan>
  run(pipeline: string | LoadedPipeline, options?: RunOptions): Promise<RunHandle>
  resume(runId: string, options?: Omit<RunOptions, 'only' | 'from'>): Promise<RunHandle>
  /**
   * Cancels a run this engine runs or holds queued (running stages are stopped, `always()` stages
   * still run). Throws PW_ERR_RUN_NOT_FOUND for a run this engine does not have live.
   */
  cancel(runId: string, reason?: string): Promise<void>
  /** Asks a run's waiting stages (or one of them) to check again now, e.g. after an approval. */
  wake(runId: string, stageId?: string): number
  /**
   * Continuous monitoring of an environment's `monitors:` until `signal` aborts: health history in
   * the store, `environment:unhealthy` / `environment:recovered`, healing runs with their limits.
   */
  watchEnvironment(pipeline: LoadedPipeline, environment: string, options: WatchEnvironmentOptions): Promise<void>
  /** Pin status of the pipeline's declared plugin packages; `update` re-pins changed ones (`pipewright plugins update`). */
  pinPlugins(file: string, options?: { update?: boolean }): Promise<PluginPins>
  close(): Promise<void>
}

export interface WatchEnvironmentOptions {
  signal: AbortSignal
  /** Values for `${{ vars.* }}` in the environment's url and monitors (as `pipewright run --var`). */
  vars?: Record<string, string>
  /** Where the watch says what it sees and does (default: the engine's logger). */
  log?: (line: string) => void
}
