import type { SerializedError, RunStatus, StageStatus } from './events.js'
import type { BaseContext, MonitorHandle, StageContext } from './context.js'

type Awaitable<T> = T | Promise<T>

/**
 * A request to wait: the stage becomes `waiting` (durably, in the store) with this reason until
 * the hook that asked is called again and no longer asks, or the deadline passes.
 */
export interface WaitRequest {
  /** One line a person reads: `approval: 0 of 2 approvals`, `production locked by run 4f2a…`. */
  reason: string
  /** What is awaited (`approval`, `lock`, `window`, `gate` …); `approval` also emits `approval:requested`. */
  kind?: string
  /** Fail the stage when the wait has lasted this long (counted from when it began, across restarts). */
  timeoutMs?: number
  /** Ask the hook again after this long (default 5 s); `engine.wake(runId)` asks at once. */
  recheckMs?: number
}

/** How one attempt of a stage ended. */
export interface AttemptOutcome {
  ok: boolean
  /** Why it failed, for the retry policy. */
  kind?: 'failure' | 'timeout' | 'cancelled'
  exitCode: number | null
  error?: SerializedError
  /** CPU time (ms) the attempt's command used, where the executor measures it. */
  cpuMs?: number
}

/** How a stage ended, before `afterStage` hooks may change it. */
export interface StageOutcome {
  status: Extract<StageStatus, 'succeeded' | 'failed' | 'cancelled' | 'cached' | 'skipped'>
  error?: SerializedError
}

/** The stage a lifecycle hook is called for. */
export interface StageHookContext<TPluginConfig = unknown> extends StageContext<TPluginConfig> {
  readonly stage: {
    /** Instance id (`test[node=20]`). */
    readonly id: string
    /** Id in the pipeline file (`test`). */
    readonly baseId: string
    readonly needs: readonly string[]
    /** The stage as written in the pipeline (validated), read-only. */
    readonly spec: Readonly<Record<string, unknown>>
  }
  /** When the wait this hook asked for began (epoch ms, engine clock); undefined when not waiting. */
  readonly waitingSince: number | undefined
  /**
   * Starts a monitor of any loaded plugin (`<plugin>/<monitor>`, config validated by its schema)
   * for this stage; every sample read from the handle is also emitted as `monitor:sample`.
   * Call `stop()` when done (post-deploy verification, analysis between canary steps).
   */
  readonly monitors: { start(uses: string, config?: unknown): Promise<MonitorHandle> }
}

export type PrepareResult = void | { wait: WaitRequest } | { skip: string } | { fail: string | SerializedError }
export type AfterAttemptResult = void | { outcome: AttemptOutcome }
export type VerifyResult = void | { wait: WaitRequest } | { fail: string | SerializedError }
export type AfterStageResult = void | { outcome: StageOutcome }

/** What `runFinished` hooks receive. */
export type RunHookContext<TPluginConfig = unknown> = BaseContext<TPluginConfig>

export interface RunSummary {
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>
  durationMs: number
  stages: Array<{ id: string; status: StageStatus; error?: SerializedError; summary?: string }>
}

/**
 * A stage's life, in order. Each hook is optional and awaitable. Built-in behaviour (cache,
 * retries, artifacts, gates) is provided through the same hooks; a plugin's hook runs after the
 * built-in ones of the same step unless registered with `order: 'pre'`.
 */
export interface LifecycleHooks<TPluginConfig = unknown> {
  /**
   * Fires when the stage's needs are done and its `if:` holds, before the cache lookup and the
   * first attempt. May make the stage wait (a lock, an approval, a window), skip it, or fail it.
   */
  prepare?(ctx: StageHookContext<TPluginConfig>): Awaitable<PrepareResult>
  /**
   * Fires after each attempt (command or plugin stage), before the retry policy decides. May
   * replace the outcome (e.g. turn a known failure into a success, or a success into a failure).
   */
  afterAttempt?(ctx: StageHookContext<TPluginConfig>, outcome: AttemptOutcome): Awaitable<AfterAttemptResult>
  /**
   * Fires once the last attempt succeeded: artifacts are collected, then gates judge, then this
   * hook. May make the stage wait (post-deploy verification, approvals) or fail it.
   */
  verify?(ctx: StageHookContext<TPluginConfig>): Awaitable<VerifyResult>
  /** Fires when the stage's status is decided (also for cache hits and failures). May change it. */
  afterStage?(ctx: StageHookContext<TPluginConfig>, outcome: StageOutcome): Awaitable<AfterStageResult>
  /** Fires once when the run reaches its final status. Observes only. */
  runFinished?(ctx: RunHookContext<TPluginConfig>, run: RunSummary): Awaitable<void>
}

export type HookName = keyof LifecycleHooks

export interface HookOptions {
  /** `pre`: before the built-in hooks of the same step; `post` (default): after them. */
  order?: 'pre' | 'post'
}
