import type { AuditStore } from './audit-types.js'
import type { ServerStore } from './server-types.js'
import type { AnalysisVerdict, DeploymentEventRecord, RunStatus, SerializedError, StageStatus, StoredArtifact, StoredRecord } from '@pipewright/plugin-api'

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
  /** `--no-wait`: deploys fail instead of waiting for a freeze window to end. */
  noWait?: boolean
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

/** How a deployment ended: `failed` leaves the previous version serving; `rolled-back` means traffic went back to it. */
export type DeploymentOutcome = DeploymentEventRecord['outcome']

/**
 * One deployment into an environment (a `deploy:` stage, `pipewright deploy`, `pipewright
 * rollback`): what went where, from which commit and artifacts, who triggered and approved it,
 * how and when, and how it ended. Written once when it ends; a later rollback may mark it
 * `rolled-back`. Deployments are the environment's audit trail: pruning runs keeps them.
 */
export interface DeploymentRecord extends Omit<DeploymentEventRecord, 'deploymentId'> {
  id: string
  runId: string
  stageId: string
  /** The rollback that replaced this deployment, once one did. */
  rolledBackBy?: string
}

export interface DeploymentFilter {
  environment?: string
  pipeline?: string
  version?: string
  kind?: DeploymentRecord['kind']
  outcome?: DeploymentOutcome | DeploymentOutcome[]
  /** Only deployments older than this position (newest-first paging by `finishedAt`, then id). */
  before?: { finishedAt: number; id: string }
  limit?: number
}

/** Who asks for an environment's lock: one stage of one run, in one process. */
export interface LockRequest {
  runId: string
  stageId: string
  pipeline: string
  /**
   * Names this acquisition. The same run and stage asking again (a recheck, or a resumed run in a
   * new process) keeps its entry and place and takes the new token; a release or eviction that
   * names an old token leaves the new one alone.
   */
  token: string
  pid: number
  host: string
  /** When asked (epoch ms). */
  at: number
}

/** A request as the lock keeps it: holding, or queued. */
export interface LockEntry extends LockRequest {
  /** Arrival order: increasing across the whole store, never reused. The queue is served in this order. */
  seq: number
  /** When it first joined (epoch ms). */
  enqueuedAt: number
  /** When it became the holder; undefined while queued. */
  acquiredAt?: number
}

/** An environment's lock: its holder (if any) and the queue behind it, first in line first. */
export interface EnvironmentLockState {
  environment: string
  holder?: LockEntry
  queue: LockEntry[]
}

/** The answer to `acquireEnvironmentLock`. */
export interface LockAcquisition {
  granted: boolean
  /** The requester's entry (its `seq` is its place in arrival order). */
  entry: LockEntry
  /** Who holds the lock when not granted (undefined while the head of the queue has not taken it yet). */
  holder?: LockEntry
  /** Queued entries before this one (0: next in line). */
  ahead: number
}

/** One person's decision on a stage that waits for approval. */
export interface ApprovalRecord {
  runId: string
  stageId: string
  environment: string
  decision: 'approved' | 'rejected'
  /** The approver's identity (`--as`, else the git user). */
  by: string
  comment?: string
  /** Epoch ms. */
  at: number
}

/**
 * One health observation of an environment (a monitor's sample) or a verdict on it (an
 * analysis' end, continuous monitoring turning it unhealthy or recovered). `source` says who:
 * post-deploy `verify`, a stage's `analysis`, or continuous monitoring (`watch`).
 */
export interface HealthRecord {
  environment: string
  at: number
  source: 'verify' | 'analysis' | 'watch'
  kind: 'sample' | 'verdict'
  healthy: boolean
  monitor?: string
  values?: Record<string, number>
  reason?: string
  /** For a verdict: the analysis' verdict, or `unhealthy` / `recovered`. */
  verdict?: AnalysisVerdict | 'unhealthy' | 'recovered'
  advisory?: boolean
  runId?: string
  stageId?: string
}

export interface HealthFilter {
  environment?: string
  kind?: HealthRecord['kind']
  runId?: string
  /** Only records older than this time (newest-first paging). */
  before?: number
  limit?: number
}

/**
 * Content-addressed files (artifacts, the files of cache entries) kept in the store itself, so
 * every process that reaches the store reaches them too (workers on other hosts). Digests are
 * `sha256:<hex>` of the exact bytes.
 */
export interface BlobStore {
  /** Stores bytes under their digest (refused when the digest does not match); storing again is a no-op. */
  put(digest: string, content: Buffer): Promise<void>
  get(digest: string): Promise<Buffer | undefined>
  /** The digests of the list the store has. */
  has(digests: Iterable<string>): Promise<Set<string>>
}

/**
 * Where runs live. The engine writes as the run happens; implementations may buffer writes but
 * must make them visible to their own reads, and durable within a short interval (a crash loses
 * at most the last few milliseconds of log lines, never a finished stage's state for long).
 * Every method may be called from several processes at once (implementations lock as needed).
 */
export interface Store extends ServerStore, AuditStore {
  readonly kind: string
  /** Directory for content-addressed artifact files; undefined: keep artifacts in memory. */
  readonly artifactDir?: string
  /** Shared content-addressed files (PostgreSQL); undefined: artifact files live under `artifactDir` only. */
  readonly blobs?: BlobStore

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

  /** Stores a finished deployment (insert; an existing id is replaced). */
  addDeployment(deployment: DeploymentRecord): Promise<void>
  /** Marks a deployment as replaced by a rollback; rejects with PW_ERR_STORE for an unknown id. */
  markDeploymentRolledBack(id: string, rollbackId: string): Promise<void>
  getDeployment(id: string): Promise<DeploymentRecord | undefined>
  /** Newest first (by `finishedAt`, then id, both descending). */
  listDeployments(filter?: DeploymentFilter): Promise<DeploymentRecord[]>

  /**
   * Asks for an environment's lock, atomically: one holder per environment, the others in a FIFO
   * queue by arrival (`seq`). Granted when the requester already holds it (same run and stage:
   * its token, pid and host are updated), or when nobody holds it and the requester is first in
   * line (or the queue is empty). Otherwise the requester joins the end of the queue — or keeps
   * its place, when it is already queued — and the answer says who holds the lock and how many
   * are ahead. Concurrency: implementations make the read-decide-write one transaction (SQLite:
   * an IMMEDIATE transaction; PostgreSQL: a row lock on the environment), so two processes can
   * never both be granted, and arrival order is the order requests were committed.
   */
  acquireEnvironmentLock(environment: string, request: LockRequest): Promise<LockAcquisition>
  /**
   * Removes a run stage's entry (held or queued) from an environment's lock; true when one was
   * removed. With `token`, only the entry of that acquisition (a stale observer evicting a dead
   * holder never removes the entry the run took again since); without, whatever its token (a
   * forced unlock). Nobody is promoted: the next in line takes the lock when it asks again.
   */
  releaseEnvironmentLock(environment: string, owner: { runId: string; stageId: string; token?: string }): Promise<boolean>
  /** An environment's holder and queue (an empty queue and no holder when nobody ever asked). */
  getEnvironmentLock(environment: string): Promise<EnvironmentLockState>
  /** Every environment with a holder or a queue, by name. */
  listEnvironmentLocks(): Promise<EnvironmentLockState[]>

  /**
   * Records an approval or rejection; one decision per person (compared ignoring case and
   * surrounding spaces) per run and stage: a later one replaces theirs. Written at once (not
   * buffered), so a waiting run in another process sees it on its next check.
   */
  addApproval(approval: ApprovalRecord): Promise<void>
  /** A run's decisions (of one stage, or all), oldest first. */
  listApprovals(runId: string, stageId?: string): Promise<ApprovalRecord[]>

  /**
   * Removes finished runs (not `running`, `queued` or `interrupted` ones) and everything kept with
   * them: stages, events, logs, artifacts records, plugin records and approvals. Cache entries,
   * deployment records and environment locks stay.
   */
  pruneRuns(filter: PruneFilter): Promise<{ runs: number }>

  /** Appends health samples and verdicts (environments' health history; pruning runs keeps it). */
  addHealthRecords(records: HealthRecord[]): Promise<void>
  /** Newest first (by `at`, then insertion order, both descending). */
  listHealthRecords(filter?: HealthFilter): Promise<HealthRecord[]>

  /** Makes buffered writes durable now. */
  flush(): Promise<void>
  close(): Promise<void>
}

export type { AuditEntry, AuditEntryInput, AuditFilter, AuditHead, AuditStore } from './audit-types.js'
export type { ApiTokenRecord, ApiTokenRole, LeaseRecord, ServerActionRecord, ServerStore } from './server-types.js'
