import type { RunStatus, SerializedError, StageStatus, StoredArtifact, StoredRecord } from '@pipewright/plugin-api'

/** One node of a stored plan: a stage or a matrix instance, and what it waits for. */
export interface StoredPlanStage {
  /** Instance id (`test[node=20]`). */
  id: string
  /** Stage id in the pipeline file. */
  stageId: string
  matrix: Record<string, string | number | boolean>
  needs: string[]
}

/**
 * The plan a run executes, as the engine stores it (the engine adds what it needs to resume, such
 * as the pipeline itself). Stores keep it as opaque JSON; a store may keep each distinct plan once.
 */
export interface StoredPlan {
  pipeline: string
  stages: StoredPlanStage[]
  [more: string]: unknown
}

/** Why a stage waits, kept while it waits so a restarted process waits on with the same deadline. */
export interface WaitState {
  reason: string
  /** What is awaited: `approval`, `lock`, `window`, `gate` … */
  kind: string
  /** When the wait began (epoch ms, engine clock). */
  since: number
  /** When it gives up (epoch ms), if ever. */
  deadline?: number
  /** The lifecycle step that waits: before the stage ran (`prepare`) or after (`verify`). */
  phase: 'prepare' | 'verify'
  /** Which hook asked to wait (`gates`, `plugin:<id>` …), so a resume asks the same one again. */
  hook: string
}

/** What a run was started with; stored so `--resume` replays the same plan and options. */
export interface RunOptionsSnapshot {
  only?: string[]
  from?: string
  noCache?: boolean
  concurrency?: number
  vars?: Record<string, string>
  /** Names of secrets provided (never their values). */
  secretNames?: string[]
}

export interface RunRecord {
  id: string
  pipeline: string
  /** Absolute path of the pipeline file, when it came from a file. */
  file?: string
  /** Directory stages run in by default. */
  dir: string
  status: RunStatus
  plan: StoredPlan
  options: RunOptionsSnapshot
  createdAt: number
  startedAt?: number
  finishedAt?: number
  /** Process running it, and when it last said it was alive (a dead owner means `interrupted`). */
  pid: number
  host: string
  heartbeatAt: number
  branch?: string
  sha?: string
  trigger?: string
  /** Who started it (a user name, a token's identity, a webhook's sender). */
  triggeredBy?: string
  /** Resumes of this run, counting from 0. */
  resumes?: number
  /** While a stage waits: why, in one line (`deploy: approval 0 of 2`). */
  waiting?: string
}

/** A position in the newest-first run list: runs strictly older than this one. */
export interface RunCursor {
  createdAt: number
  id: string
}

export interface StageRecord {
  runId: string
  stageId: string
  status: StageStatus
  attempts: number
  exitCode: number | null
  startedAt?: number
  finishedAt?: number
  durationMs?: number
  outputs: Record<string, string>
  error?: SerializedError
  cacheKey?: string
  summary?: string
  gates?: Array<{ gate: string; verdict: string; reason: string; evidence?: unknown }>
  /** Set while the stage is `waiting`. */
  waiting?: WaitState
}

/**
 * A record of a stage's log: one line, or several consecutive lines of one stage and stream
 * joined by `\n` (the engine batches a chatty stage's output this way; `engine.runs.logs` hands
 * them back line by line).
 */
export interface LogLine {
  runId: string
  stageId: string
  /** Increasing per run; used to page and to follow. */
  seq: number
  stream: 'stdout' | 'stderr' | 'system'
  line: string
  at: number
}

export interface StoredEvent {
  runId: string
  seq: number
  type: string
  payload: unknown
  at: number
}

export interface CacheEntry {
  key: string
  runId: string
  stageId: string
  outputs: Record<string, string>
  artifacts: StoredArtifact[]
  /** The stage's summary, shown again for a stage served from this entry. */
  summary?: string
  /** The gate verdicts the stage passed, shown again for a stage served from this entry. */
  gates?: Array<{ gate: string; verdict: 'pass' | 'fail' | 'pending'; reason: string; evidence?: unknown }>
  createdAt: number
}

export interface ArtifactRecord extends StoredArtifact {
  runId: string
  stageId: string
  createdAt: number
}

export interface RecordFilter {
  pipeline: string
  kind: string
  runId?: string
  excludeRunId?: string
  /** Exact stage id; omitted = any stage. */
  stageId?: string
  branch?: string
  runStatus?: string
  limit?: number
}

export interface RunFilter {
  pipeline?: string
  /** One status, or any of several. */
  status?: RunStatus | RunStatus[]
  branch?: string
  /** Only runs older than this position (newest-first paging). */
  before?: RunCursor
  limit?: number
}

export interface PruneFilter {
  /** Remove finished runs that finished before this time (epoch ms). */
  finishedBefore: number
  pipeline?: string
}

/**
 * Where runs live. The engine writes as the run happens; implementations may buffer writes but
 * must make them visible to their own reads, and durable within a short interval (a crash loses
 * at most the last few milliseconds of log lines, never a finished stage's state for long).
 * Every method may be called from several processes at once (implementations lock as needed).
 */
export interface Store {
  readonly kind: string
  /** Directory for content-addressed artifact files; undefined: keep artifacts in memory. */
  readonly artifactDir?: string

  createRun(run: RunRecord): Promise<void>
  updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void>
  getRun(id: string): Promise<RunRecord | undefined>
  /** Newest first (by `createdAt`, then id). */
  listRuns(filter?: RunFilter): Promise<RunRecord[]>

  /** Writes a stage's whole record (insert or replace); stages keep the order they first appeared in. */
  putStage(stage: StageRecord): Promise<void>
  getStages(runId: string): Promise<StageRecord[]>

  appendEvents(events: StoredEvent[]): Promise<void>
  getEvents(runId: string, afterSeq?: number): Promise<StoredEvent[]>

  appendLogs(lines: LogLine[]): Promise<void>
  getLogs(runId: string, options?: { stageId?: string; afterSeq?: number; limit?: number }): Promise<LogLine[]>

  putCache(entry: CacheEntry): Promise<void>
  getCache(key: string): Promise<CacheEntry | undefined>

  addArtifact(artifact: ArtifactRecord): Promise<void>
  listArtifacts(runId: string): Promise<ArtifactRecord[]>

  saveRecord(pipeline: string, record: Omit<StoredRecord, 'runStatus' | 'branch' | 'sha'>): Promise<void>
  /** Newest first; joined with the run's status, branch and sha. */
  findRecords(filter: RecordFilter): Promise<StoredRecord[]>
  /**
   * Copies every record a stage saved in one run to a stage of another run (a stage served from
   * the cache gets the records of the run that produced the entry), stamped `createdAt`.
   */
  copyStageRecords(pipeline: string, from: { runId: string; stageId: string }, to: { runId: string; stageId: string }, createdAt: number): Promise<number>

  /** Small named values (watch positions, plugin state). */
  getState<T = unknown>(key: string): Promise<T | undefined>
  setState(key: string, value: unknown): Promise<void>

  /**
   * Removes finished runs (not `running`, `queued` or `interrupted` ones) and everything kept with
   * them: stages, events, logs, artifacts records and plugin records. Cache entries stay.
   */
  pruneRuns(filter: PruneFilter): Promise<{ runs: number }>

  /** Makes buffered writes durable now. */
  flush(): Promise<void>
  close(): Promise<void>
}
