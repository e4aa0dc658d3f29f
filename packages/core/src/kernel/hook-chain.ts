import type { AttemptOutcome, HookOptions, LifecycleHooks, RunSummary, StageOutcome } from '@pipewright/plugin-api'
import type { RunSession } from './session.js'
import type { StageRun, StepResult } from './stage-run.js'

/** What the retry policy (the last `afterAttempt` hook) may say besides changing the outcome. */
export interface AttemptStep {
  outcome?: AttemptOutcome
  /** Run another attempt after this long. */
  retryAfterMs?: number
}

/**
 * A provider of lifecycle hooks as the kernel calls them. Built-in behaviour (cache, retry,
 * artifacts, gates) and plugins' hooks (adapted in `plugin-hooks.ts`) have this one shape.
 */
export interface KernelHook {
  /** Names the provider in waits and errors: `cache`, `gates`, `plugin:<id>`. */
  name: string
  prepare?(stage: StageRun): Promise<StepResult> | StepResult
  /**
   * Built-in providers only: performs the stage's attempt itself (a `deploy:` stage calls the
   * deployer) instead of the executor; undefined leaves it to the next provider, then the executor.
   */
  attempt?(stage: StageRun): Promise<AttemptOutcome | undefined> | AttemptOutcome | undefined
  afterAttempt?(stage: StageRun, outcome: AttemptOutcome): Promise<AttemptStep | void> | AttemptStep | void
  verify?(stage: StageRun): Promise<StepResult> | StepResult
  afterStage?(stage: StageRun, outcome: StageOutcome): Promise<StageOutcome | void> | StageOutcome | void
  runFinished?(session: RunSession, run: RunSummary): Promise<void> | void
}

export type HookStep = Exclude<keyof KernelHook, 'name'>

/** Built-in providers and where each sits in its step (see `HookChain`). */
export interface BuiltinHooks {
  /** Before plugins' post hooks: cache lookup then deploy protection and lock (prepare), the deploy itself (attempt), artifacts then gates (verify). */
  early: Partial<Record<HookStep, KernelHook[]>>
  /** After every plugin hook: the retry policy (afterAttempt), the cache save (afterStage). */
  late: Partial<Record<HookStep, KernelHook[]>>
}

export interface PluginHookEntry {
  pluginId: string
  hooks: LifecycleHooks<any>
  options: HookOptions
}

/**
 * The ordered providers of each lifecycle step: plugins' `pre` hooks, the early built-ins,
 * plugins' hooks (default `post`), the late built-ins. Plugins keep their load order.
 */
export class HookChain {
  private readonly steps = new Map<HookStep, KernelHook[]>()

  constructor(builtins: BuiltinHooks, plugins: Array<{ entry: PluginHookEntry; hook: KernelHook }>) {
    for (const step of ['prepare', 'attempt', 'afterAttempt', 'verify', 'afterStage', 'runFinished'] as const) {
      const has = (h: KernelHook) => typeof h[step] === 'function'
      const pre = plugins.filter((p) => p.entry.options.order === 'pre').map((p) => p.hook).filter(has)
      const post = plugins.filter((p) => p.entry.options.order !== 'pre').map((p) => p.hook).filter(has)
      this.steps.set(step, [...pre, ...(builtins.early[step] ?? []), ...post, ...(builtins.late[step] ?? [])])
    }
  }

  of(step: HookStep): readonly KernelHook[] {
    return this.steps.get(step) ?? []
  }
}
