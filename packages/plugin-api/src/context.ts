import type { EventInput, GateVerdict, PipewrightEvents, StageStatus } from './events.js'
import type { Token } from './tokens.js'

/** A logger scoped to a plugin or a stage; lines reach the stage log, redacted. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** Facts about the git checkout the pipeline runs in (absent outside a repository). */
export interface GitInfo {
  sha: string
  shortSha: string
  branch?: string
  tag?: string
  /** The full commit message (subject, blank line, body), without trailing newlines. */
  message: string
  /** `Name <email>` of the commit's author. */
  author: string
  /** The repository's top-level directory. */
  root: string
  /** When the commit was made (committer date, epoch ms): where lead time for changes starts. */
  committedAt?: number
}

/** Read-only access to the run's secrets. Values are redacted from every log line. */
export interface SecretReader {
  get(name: string): string | undefined
  names(): string[]
}

export interface OutputWriter {
  /** Sets an output readable as `${{ stages.<id>.outputs.<key> }}`. */
  set(key: string, value: string | number | boolean): void
  get(key: string): string | undefined
  all(): Record<string, string>
}

export interface StoredArtifact {
  /** Path relative to the workspace, with forward slashes. */
  path: string
  /** `sha256:<hex>` of the content. */
  digest: string
  size: number
}

export interface ArtifactWriter {
  /** Collects files (relative paths or globs inside the workspace) into the run's artifact store. */
  add(patternOrPath: string | string[]): Promise<StoredArtifact[]>
  /** Stores in-memory content under a name (e.g. a provenance statement). */
  write(name: string, content: string | Uint8Array): Promise<StoredArtifact>
  /** Artifacts already stored by this stage. */
  list(): StoredArtifact[]
}

/** A structured record kept in the store: results, problems, provenance … */
export interface StoredRecord<T = unknown> {
  runId: string
  stageId: string
  kind: string
  data: T
  createdAt: number
  runStatus: string
  branch?: string
  sha?: string
}

export interface RecordQuery {
  /** Stage id to match; defaults to the current stage's id. `'*'` matches any stage. */
  stageId?: string
  /** Only runs on this git branch. */
  branch?: string
  /** Only runs that ended with this status (default for `previous`: `succeeded`). */
  runStatus?: string
  limit?: number
}

/**
 * Structured data a plugin keeps with the run, and reads back from earlier runs of the same
 * pipeline. Name kinds `<plugin-id>.<what>`, e.g. `test-runner.results`.
 */
export interface RunRecords {
  save(kind: string, data: unknown): Promise<void>
  /** This run's record of that kind for this stage (or `query.stageId`). */
  get<T = unknown>(kind: string, query?: Pick<RecordQuery, 'stageId'>): Promise<T | undefined>
  /** The record from the most recent earlier run that succeeded (see `RecordQuery`). */
  previous<T = unknown>(kind: string, query?: RecordQuery): Promise<StoredRecord<T> | undefined>
  /** Records from earlier runs of this pipeline, newest first. */
  history<T = unknown>(kind: string, query?: RecordQuery): Promise<StoredRecord<T>[]>
}

export interface ExecOptions {
  cwd?: string
  /** Extra variables on top of the stage environment. */
  env?: Record<string, string>
  input?: string
  /** Stream output lines to the stage log (default true). */
  log?: boolean
  /** Throw a PW_ERR_STAGE_FAILED error on a non-zero exit (default false). */
  check?: boolean
}

export interface ExecResult {
  exitCode: number
  signal: string | null
  stdout: string
  stderr: string
}

/** What every plugin hook receives: the run, the stage, and the engine's services. */
export interface BaseContext<TPluginConfig = unknown> {
  readonly runId: string
  readonly pipeline: { readonly name: string; readonly file?: string; readonly dir: string }
  readonly git: GitInfo | undefined
  readonly logger: Logger
  readonly signal: AbortSignal
  readonly pluginConfig: TPluginConfig
  resolve<T>(token: Token<T>): T
  /**
   * Emits an event on the engine's bus. The engine stamps `at` with its clock and fills `runId`,
   * and masks secrets in the payload before any listener (or the store) sees it.
   */
  emit<K extends keyof PipewrightEvents>(name: K, payload: EventInput<K>): void
  /** Masks the run's secrets (and their encoded forms) in text, with the engine's one redactor. */
  redact(text: string): string
}

/** What a stage's `run` receives. */
export interface StageContext<TPluginConfig = unknown> extends BaseContext<TPluginConfig> {
  /** Instance id, e.g. `test[node=20]`. */
  readonly stageId: string
  readonly attempt: number
  /** Directory the stage works in (`working-directory`, default the pipeline file's directory). */
  readonly workspace: string
  readonly env: Readonly<Record<string, string>>
  readonly matrix: Readonly<Record<string, string | number | boolean>>
  readonly secrets: SecretReader
  readonly outputs: OutputWriter
  readonly artifacts: ArtifactWriter
  readonly records: RunRecords
  /** Spawns a process with the stage environment; killed with its whole tree on cancel. Output lines reach the stage log, redacted. */
  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult>
  /** A short human summary of the stage's result, shown by `pipewright show`. */
  summary(text: string): void
}

/** What a gate's `evaluate` receives: the gated stage's context plus its result. */
export interface GateContext<TPluginConfig = unknown> extends StageContext<TPluginConfig> {
  readonly stage: { readonly id: string; readonly status: StageStatus; readonly outputs: Readonly<Record<string, string>> }
}

export interface GateResult {
  verdict: GateVerdict
  /** One sentence a person reads: why it passed, failed, or is still waiting. */
  reason: string
  /** The facts behind the verdict (which tests, which numbers). */
  evidence?: unknown
  /** With `pending`: what is awaited (`approval` also emits `approval:requested`); default `gate`. */
  waitFor?: string
  /** With `pending`: evaluate again after this long (default 5 s). */
  recheckMs?: number
}

export interface MonitorSample {
  at: number
  healthy: boolean
  values: Record<string, number>
  reason?: string
}

export interface MonitorHandle {
  samples: AsyncIterable<MonitorSample>
  stop(): Promise<void>
}

export type MonitorContext<TPluginConfig = unknown> = BaseContext<TPluginConfig> & { readonly stageId: string }

/** One message for people and systems, built by the engine from an event; a notifier formats and delivers it. */
export interface Notification {
  /** The event it reports, e.g. `run:finished`, `deploy:rolled-back`. */
  event: string
  title: string
  text: string
  severity: 'info' | 'warning' | 'error'
  runId?: string
  /** A link to the run (or whatever the notification is about), when a server URL is configured. */
  url?: string
  fields?: Record<string, string>
  /**
   * Stable id of this notification. Notifiers use it as the idempotency key of the delivery, so a
   * notification delivered again (after a retry or a resumed run) is recognisably the same one.
   */
  id?: string
  /** The stage that failed or that the notification is about. */
  stageId?: string
  /** The environment concerned (a deploy, a rollback, a health change). */
  environment?: string
  /** Why it happened: the failing stage's error, the rollback reason, the failed condition. */
  reason?: string
}

/** What a notifier's `notify` receives: the base context plus the run's secrets (signing keys, SMTP passwords). */
export type NotifierContext<TPluginConfig = unknown> = BaseContext<TPluginConfig> & { readonly secrets: SecretReader }
