import type { SerializedError, StoredArtifact, WaitRequest } from '@pipewright/plugin-api'
import type { WaitState } from '@pipewright/store-api'
import type { ExpressionContext } from '../expr/index.js'
import type { PlannedStage } from '../pipeline/plan.js'
import type { StageSpec } from '../pipeline/schema.js'
import type { RunSession } from './session.js'
import type { StageSlot } from './stage-context.js'

/**
 * One stage instance going through its lifecycle: what hooks read and change. It is the stage's
 * slot for plugin contexts too (outputs, artifacts, summary).
 */
export class StageRun implements StageSlot {
  readonly stageId: string
  readonly spec: StageSpec
  attempt = 0
  exitCode: number | null = null
  workspace: string
  env: Record<string, string> = {}
  /** The expression context of the stage (env resolved). */
  expr!: ExpressionContext
  signal: AbortSignal
  outputs = new Map<string, string>()
  artifacts: StoredArtifact[] = []
  summary?: string
  /** Set by the cache hook once computed. */
  cacheKey?: string
  /** The current wait, while the stage waits. */
  wait?: WaitState
  /** A wait the stage was in when its run was interrupted: resumed with the same start and deadline. */
  resumedWait?: WaitState
  /** The artifacts of each need (by instance id), materialized under $PIPEWRIGHT_ARTIFACTS_DIR. */
  needsArtifacts: Record<string, StoredArtifact[]> = {}
  /** Scratch space built-in hooks keep per stage (e.g. the gates already passed). */
  readonly memo = new Map<string, unknown>()

  constructor(
    readonly session: RunSession,
    readonly node: PlannedStage,
    /** Position in the plan (names the stage's scratch files). */
    readonly index: number,
  ) {
    this.stageId = node.id
    this.spec = node.spec
    this.workspace = session.input.pipeline.dir
    // A stage that runs after cancellation (if: always()) must not inherit the aborted signal.
    this.signal = session.signal.aborted ? new AbortController().signal : session.signal
  }

  get matrix(): Record<string, string | number | boolean> {
    return this.node.matrix
  }

  /** When the current wait began, for hooks that compute their own deadlines. */
  get waitingSince(): number | undefined {
    return this.wait?.since
  }

  log(line: string, stream: 'stdout' | 'stderr' | 'system' = 'system'): void {
    this.session.log(this.stageId, stream, line)
  }
}

/** How a lifecycle step ended, when it ends the stage early or makes it wait. */
export type StepResult = void | { wait: WaitRequest } | { finish: StageFinish } | { fail: SerializedError }

/** A stage decided before its attempts: served from the cache, skipped, or failed. */
export interface StageFinish {
  status: 'cached' | 'skipped' | 'failed'
  error?: SerializedError
}
