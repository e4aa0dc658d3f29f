import type { AttemptOutcome, StageContext, StoredArtifact } from '@pipewright/plugin-api'
import type { SplitPattern } from './line-reader.js'

/** One attempt of one stage, as the kernel hands it to an executor. */
export interface StageJob {
  runId: string
  stageId: string
  attempt: number
  /** Directory the stage works in. */
  workspace: string
  /** The stage's whole environment (base, pipeline, stage, `PIPEWRIGHT_*`). */
  env: Record<string, string>
  timeoutMs?: number
  action: RunAction | UsesAction
  /** Where the stage's files come from, for executors that run it on another host (a checkout of `sha`). */
  source?: StageSource
  /** `runs-on:` labels a worker needs to take the job. */
  runsOn?: string[]
  /** `idempotent: false`: an executor must not run it again after losing the process that ran it. */
  idempotent?: boolean
  /** The stage's `artifacts:` globs (collected in `workspace` after it succeeds). */
  artifacts?: string[]
  /** The artifacts of each need (by instance id), found under `$PIPEWRIGHT_ARTIFACTS_DIR/<need id>/`. */
  needsArtifacts?: Record<string, StoredArtifact[]>
}

/** The run's files as a repository and a commit: a remote worker checks `sha` out instead of using `workspace`. */
export interface StageSource {
  /** Root of the repository on this host (`workspace` is inside it). */
  root: string
  /** Where a worker clones it from: the repository's `origin`, else `root`. */
  repo: string
  sha: string
}

/** A `run:` stage: a shell script (values already passed as env references) or an argv list. */
export interface RunAction {
  kind: 'run'
  command: string | string[]
  /** Where the command writes `key=value` outputs (`$PIPEWRIGHT_OUTPUT`). */
  outputFile: string
}

/** A `uses:` stage: a plugin stage type with its resolved, validated configuration. */
export interface UsesAction {
  kind: 'uses'
  uses: string
  config: unknown
}

/** What an executor reports back while it runs a job. */
export interface StageIO {
  /** Aborted when the run is cancelled (not on timeout: the executor enforces `timeoutMs`). */
  signal: AbortSignal
  /** One line of output; the kernel redacts it before anyone sees it. */
  log(stream: 'stdout' | 'stderr' | 'system', line: string): void
  /** An output of a `run:` stage, read from `$PIPEWRIGHT_OUTPUT`. */
  output(key: string, value: string): void
  /** Where to cut a line too long to keep whole: never inside a secret, so each piece is redacted like the line. */
  splitPattern?: SplitPattern
  /**
   * For `uses:` jobs: the plugin's stage function and the context the kernel built for it. An
   * executor running the job in this process calls it; one that ships jobs elsewhere ignores it.
   */
  plugin?: { pluginId: string; run(ctx: StageContext, config: unknown): unknown; context(signal: AbortSignal): StageContext }
}

/**
 * Runs stage attempts. The default runs them in this process ({@link createLocalExecutor});
 * register another under `EXECUTOR` to run them elsewhere (workers on other machines).
 */
export interface StageExecutor {
  execute(job: StageJob, io: StageIO): Promise<AttemptOutcome>
  /** Releases what the executor holds (helper processes, connections) when the engine closes. */
  close?(): Promise<void> | void
}
