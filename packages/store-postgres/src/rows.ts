import type { StoredRecord } from '@pipewright/plugin-api'
import type { ArtifactRecord, CacheEntry, LogLine, RunRecord, StageRecord, StoredEvent } from '@pipewright/store-api'

// Row shapes as PostgreSQL returns them (BIGINT parsed to numbers): snake_case columns, JSON in TEXT, NULL for absent.
type Nullable<T> = { [K in keyof T]: T[K] | null }

export interface RunRow {
  id: string
  pipeline: string
  file: string | null
  dir: string
  status: string
  options: string
  created_at: number
  started_at: number | null
  finished_at: number | null
  pid: number
  host: string
  heartbeat_at: number
  branch: string | null
  sha: string | null
  trigger: string | null
  resumes: number | null
  plan_hash: string
  triggered_by: string | null
  waiting: string | null
  /** The plan, joined from `plans`. */
  shared_plan: string
}

/**
 * RunRecord field -> column; `json` columns hold JSON text, `optional` ones may be cleared. The
 * plan is not here: it is kept once per distinct plan in `plans`.
 */
export const RUN_COLUMNS: Record<string, { column: keyof RunRow; json?: true; optional?: true }> = {
  pipeline: { column: 'pipeline' },
  file: { column: 'file', optional: true },
  dir: { column: 'dir' },
  status: { column: 'status' },
  options: { column: 'options', json: true },
  createdAt: { column: 'created_at' },
  startedAt: { column: 'started_at', optional: true },
  finishedAt: { column: 'finished_at', optional: true },
  pid: { column: 'pid' },
  host: { column: 'host' },
  heartbeatAt: { column: 'heartbeat_at' },
  branch: { column: 'branch', optional: true },
  sha: { column: 'sha', optional: true },
  trigger: { column: 'trigger', optional: true },
  triggeredBy: { column: 'triggered_by', optional: true },
  resumes: { column: 'resumes', optional: true },
  waiting: { column: 'waiting', optional: true },
}

export function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value)
}

function parse<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T)
}

/** Copies the non-null values of `source` onto `target` under the given names. */
function setPresent<T extends object>(target: T, values: Nullable<Partial<T>>): T {
  for (const [key, value] of Object.entries(values)) if (value !== null && value !== undefined) (target as Record<string, unknown>)[key] = value
  return target
}

/** The columns and values of a run's insert (its plan is kept in `plans` under `planHash`). */
export function runToRow(run: RunRecord, planHash: string): Record<string, unknown> {
  const row: Record<string, unknown> = { id: run.id, plan_hash: planHash }
  for (const [field, { column, json: isJson }] of Object.entries(RUN_COLUMNS)) {
    const value = (run as unknown as Record<string, unknown>)[field]
    row[column] = isJson ? json(value) : (value ?? null)
  }
  return row
}

export function rowToRun(row: RunRow): RunRecord {
  const run: RunRecord = {
    id: row.id, pipeline: row.pipeline, dir: row.dir, status: row.status as RunRecord['status'],
    plan: JSON.parse(row.shared_plan), options: JSON.parse(row.options), createdAt: row.created_at,
    pid: row.pid, host: row.host, heartbeatAt: row.heartbeat_at,
  }
  return setPresent(run, {
    file: row.file, startedAt: row.started_at, finishedAt: row.finished_at,
    branch: row.branch, sha: row.sha, trigger: row.trigger, triggeredBy: row.triggered_by, resumes: row.resumes, waiting: row.waiting,
  })
}

export interface StageRow {
  run_id: string
  stage_id: string
  status: string
  attempts: number
  exit_code: number | null
  started_at: number | null
  finished_at: number | null
  duration_ms: number | null
  outputs: string
  error: string | null
  cache_key: string | null
  summary: string | null
  gates: string | null
  waiting: string | null
}

export function stageToRow(stage: StageRecord): StageRow {
  return {
    run_id: stage.runId, stage_id: stage.stageId, status: stage.status, attempts: stage.attempts,
    exit_code: stage.exitCode ?? null, started_at: stage.startedAt ?? null, finished_at: stage.finishedAt ?? null,
    duration_ms: stage.durationMs ?? null, outputs: JSON.stringify(stage.outputs ?? {}), error: json(stage.error),
    cache_key: stage.cacheKey ?? null, summary: stage.summary ?? null, gates: json(stage.gates), waiting: json(stage.waiting),
  }
}

export function rowToStage(row: StageRow): StageRecord {
  const stage: StageRecord = {
    runId: row.run_id, stageId: row.stage_id, status: row.status as StageRecord['status'],
    attempts: row.attempts, exitCode: row.exit_code, outputs: JSON.parse(row.outputs),
  }
  return setPresent(stage, {
    startedAt: row.started_at, finishedAt: row.finished_at, durationMs: row.duration_ms,
    error: parse(row.error) ?? null, cacheKey: row.cache_key, summary: row.summary, gates: parse(row.gates) ?? null, waiting: parse(row.waiting) ?? null,
  })
}

export interface EventRow { run_id: string; seq: number; type: string; payload: string | null; at: number }

export function rowToEvent(row: EventRow): StoredEvent {
  return { runId: row.run_id, seq: row.seq, type: row.type, payload: parse(row.payload), at: row.at }
}

export interface LogRow { run_id: string; seq: number; stage_id: string; stream: string; line: string; at: number }

export function rowToLog(row: LogRow): LogLine {
  return { runId: row.run_id, stageId: row.stage_id, seq: row.seq, stream: row.stream as LogLine['stream'], line: row.line, at: row.at }
}

export interface CacheRow { key: string; run_id: string; stage_id: string; outputs: string; artifacts: string; summary: string | null; gates: string | null; created_at: number }

export function rowToCache(row: CacheRow): CacheEntry {
  const entry: CacheEntry = { key: row.key, runId: row.run_id, stageId: row.stage_id, outputs: JSON.parse(row.outputs), artifacts: JSON.parse(row.artifacts), createdAt: row.created_at }
  return setPresent(entry, { summary: row.summary, gates: parse(row.gates) ?? null })
}

export interface ArtifactRow { run_id: string; stage_id: string; path: string; digest: string; size: number; created_at: number }

export function rowToArtifact(row: ArtifactRow): ArtifactRecord {
  return { runId: row.run_id, stageId: row.stage_id, path: row.path, digest: row.digest, size: row.size, createdAt: row.created_at }
}

export interface RecordRow {
  run_id: string
  stage_id: string
  kind: string
  data: string | null
  created_at: number
  run_status: string | null
  branch: string | null
  sha: string | null
}

export function rowToRecord(row: RecordRow): StoredRecord {
  const record: StoredRecord = {
    runId: row.run_id, stageId: row.stage_id, kind: row.kind, data: parse(row.data),
    createdAt: row.created_at, runStatus: row.run_status ?? 'unknown',
  }
  return setPresent(record, { branch: row.branch, sha: row.sha })
}
