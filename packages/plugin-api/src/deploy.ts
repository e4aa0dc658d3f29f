import type { z } from 'zod'
import type { Logger } from './context.js'
import type { Token } from './tokens.js'

type Awaitable<T> = T | Promise<T>

/** A JSON value: what a handle may carry so that it survives a restart of the agent. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/**
 * What a version is made of. Exactly one of the two is set: a build's artifact directory (an
 * absolute path) or an image reference.
 */
export interface ReleaseSource {
  directory?: string
  image?: string
}

/** One instance the agent asks a target to start. */
export interface InstanceSpec {
  /** Unique per agent, stable across restarts of the instance: `staging-2-k3f9a1`. */
  readonly id: string
  readonly environment: string
  readonly version: string
  /** What `prepare` returned for this version (or the source as given when the target has no `prepare`). */
  readonly release: ReleaseSource
  /** Always `127.0.0.1`: instances listen on the loopback interface only. */
  readonly host: string
  /** The port the instance must listen on (also in `env.PORT`). */
  readonly port: number
  /** The environment's variables plus `PORT`, `PIPEWRIGHT_ENVIRONMENT`, `PIPEWRIGHT_VERSION`, `PIPEWRIGHT_INSTANCE`. */
  readonly env: Readonly<Record<string, string>>
}

/**
 * A running instance, as the target describes it. It is stored as JSON by the agent, so a
 * restarted agent can `adopt` or `stop` it: put everything the target needs to find the
 * instance again in `pid`, `containerId` or `data`.
 */
export interface InstanceHandle {
  readonly id: string
  /** The target type that started it, `<plugin-id>/<name>` (`ctx.target`). */
  readonly target: string
  readonly environment: string
  readonly version: string
  /** Where the router sends requests: `127.0.0.1` and the spec's port. */
  readonly host: string
  readonly port: number
  /** Process id of a local process (its process group leader), when there is one. */
  readonly pid?: number
  /** Container id, for targets that run containers. */
  readonly containerId?: string
  /** Epoch ms. */
  readonly startedAt: number
  /** Anything else the target needs later (log file, process start time …), JSON only. */
  readonly data?: { readonly [key: string]: JsonValue }
}

/** Whether an instance still runs, as the target sees it (HTTP health is checked by the agent). */
export interface InstanceLiveness {
  alive: boolean
  /** Why not, in a few words: `exited with code 1`, `killed by SIGKILL`, `container is not running`. */
  reason?: string
  exitCode?: number | null
}

export interface StopOptions {
  /** How long the instance may take to exit after the polite signal before it is killed. */
  graceMs: number
}

/** What every target method receives. */
export interface TargetContext<TPluginConfig = unknown> {
  /** The target type being called, `<plugin-id>/<name>` (what `InstanceHandle.target` holds). */
  readonly target: string
  /** The environment the call is for. */
  readonly environment: string
  /**
   * A directory of the agent's (`<home>/agent/targets/<plugin-id>/<name>`), shared by every
   * environment of this target type, for release copies, logs and the like.
   */
  readonly dataDir: string
  readonly logger: Logger
  /** Aborted when the agent gives up on the call (deployment aborted, agent stopping). */
  readonly signal: AbortSignal
  readonly pluginConfig: TPluginConfig
  resolve<T>(token: Token<T>): T
}

/**
 * A deployment target: where the instances of a version run (local processes, containers, hosts
 * over SSH, pods …). The agent drives it; the strategies (rolling, blue-green, canary) and the
 * router live above it, so a target only starts, stops and watches single instances.
 *
 * Every method may be called again for the same instance after the agent restarted, so it must
 * work from the handle alone, never from memory of an earlier call.
 */
export interface TargetDefinition<TConfig = unknown, TPluginConfig = unknown> {
  description?: string
  /** Validates the environment's `target.with`; every problem is reported before anything starts. */
  configSchema?: z.ZodType<TConfig>
  /**
   * Fires once per deployment of a version, before its first instance starts. Pins the release
   * so a later build cannot change a running version: copy an artifact directory, resolve an
   * image tag to its id. Returns what `start` receives as `spec.release` — also for restarts of
   * a crashed instance and after an agent restart, so it must stay usable as long as the
   * version may run. Without it, `start` receives the source as given.
   */
  prepare?(ctx: TargetContext<TPluginConfig>, config: TConfig, release: ReleaseSource & { environment: string; version: string }): Awaitable<ReleaseSource>
  /**
   * Fires for each instance the agent needs: a strategy step, the restart of a crashed instance,
   * the restore of an instance that did not survive an agent restart. Resolves once the instance
   * was launched (not once it is healthy: the agent checks that over HTTP).
   */
  start(ctx: TargetContext<TPluginConfig>, config: TConfig, spec: InstanceSpec): Awaitable<InstanceHandle>
  /**
   * Fires when an instance leaves service (after its requests were drained), when a crashed
   * instance is cleaned up, and on `agent stop --all`. Asks politely, waits up to `graceMs`,
   * then forces. Must succeed for an instance that is already gone.
   */
  stop(ctx: TargetContext<TPluginConfig>, config: TConfig, handle: InstanceHandle, options: StopOptions): Awaitable<void>
  /**
   * Fires every few seconds for each instance the agent supervises (and for `status`). Reports
   * liveness only — process alive, container running; a dead instance is restarted with back-off.
   */
  check(ctx: TargetContext<TPluginConfig>, config: TConfig, handle: InstanceHandle): Awaitable<InstanceLiveness>
  /**
   * Fires when a restarted agent restores an environment, for each instance an earlier agent
   * started. Returns the handle (updated if need be) when the instance still runs and is the one
   * the handle names, or undefined when it is gone (the agent then starts a new one). Without
   * `adopt`, the agent asks `check` and adopts a live instance as is.
   */
  adopt?(ctx: TargetContext<TPluginConfig>, config: TConfig, handle: InstanceHandle): Awaitable<InstanceHandle | undefined>
}
