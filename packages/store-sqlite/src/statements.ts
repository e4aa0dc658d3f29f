import { RUN_COLUMNS } from './rows.js'

/** Runs with their plan: inline in older rows, else the shared one from `plans`. */
export const RUN_SELECT = 'SELECT runs.*, plans.plan AS shared_plan FROM runs LEFT JOIN plans ON plans.hash = runs.plan_hash'

/** SQL that does not depend on the call's arguments (prepared once, cached by text). */
export const SQL = {
  runExists: 'SELECT 1 FROM runs WHERE id = ?',
  getRun: `${RUN_SELECT} WHERE runs.id = ?`,
  putPlan: 'INSERT OR IGNORE INTO plans (hash, plan) VALUES (?, ?)',
  putStage: `INSERT INTO stages (run_id, stage_id, status, attempts, exit_code, started_at, finished_at, duration_ms, outputs, error, cache_key, summary, gates, waiting)
    VALUES (@run_id, @stage_id, @status, @attempts, @exit_code, @started_at, @finished_at, @duration_ms, @outputs, @error, @cache_key, @summary, @gates, @waiting)
    ON CONFLICT (run_id, stage_id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, exit_code = excluded.exit_code,
      started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, outputs = excluded.outputs,
      error = excluded.error, cache_key = excluded.cache_key, summary = excluded.summary, gates = excluded.gates, waiting = excluded.waiting`,
  // rowid order = first appearance; the upsert above keeps a stage's place
  getStages: 'SELECT * FROM stages WHERE run_id = ? ORDER BY rowid',
  putEvent: 'INSERT OR REPLACE INTO events (run_id, seq, type, payload, at) VALUES (?, ?, ?, ?, ?)',
  getEvents: 'SELECT * FROM events WHERE run_id = ? ORDER BY seq',
  getEventsAfter: 'SELECT * FROM events WHERE run_id = ? AND seq > ? ORDER BY seq',
  putLog: 'INSERT OR REPLACE INTO logs (run_id, seq, stage_id, stream, line, at) VALUES (?, ?, ?, ?, ?, ?)',
  putCache: 'INSERT OR REPLACE INTO cache (key, run_id, stage_id, outputs, artifacts, summary, gates, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  getCache: 'SELECT * FROM cache WHERE key = ?',
  putArtifact: `INSERT INTO artifacts (run_id, stage_id, path, digest, size, created_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, stage_id, path) DO UPDATE SET digest = excluded.digest, size = excluded.size, created_at = excluded.created_at`,
  listArtifacts: 'SELECT * FROM artifacts WHERE run_id = ? ORDER BY id',
  putRecord: `INSERT INTO records (pipeline, run_id, stage_id, kind, data, created_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, stage_id, kind) DO UPDATE SET pipeline = excluded.pipeline, data = excluded.data, created_at = excluded.created_at`,
  getState: 'SELECT value FROM state WHERE key = ?',
  copyStageRecords: `INSERT INTO records (pipeline, run_id, stage_id, kind, data, created_at)
    SELECT pipeline, @toRun, @toStage, kind, data, @createdAt FROM records WHERE pipeline = @pipeline AND run_id = @fromRun AND stage_id = @fromStage
    ON CONFLICT (run_id, stage_id, kind) DO UPDATE SET data = excluded.data, created_at = excluded.created_at`,
  prunableRuns: `SELECT id FROM runs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at IS NOT NULL AND finished_at < @before`,
  prunableRunsOf: `SELECT id FROM runs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at IS NOT NULL AND finished_at < @before AND pipeline = @pipeline`,
  pruneRun: [
    'DELETE FROM stages WHERE run_id = ?',
    'DELETE FROM events WHERE run_id = ?',
    'DELETE FROM logs WHERE run_id = ?',
    'DELETE FROM artifacts WHERE run_id = ?',
    'DELETE FROM records WHERE run_id = ?',
    'DELETE FROM approvals WHERE run_id = ?',
    'DELETE FROM runs WHERE id = ?',
  ],
  // Plans no run points at any more.
  prunePlans: 'DELETE FROM plans WHERE hash NOT IN (SELECT plan_hash FROM runs WHERE plan_hash IS NOT NULL)',
  putState: 'INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)',
  deleteState: 'DELETE FROM state WHERE key = ?',
} as const

export function insertRunSql(): string {
  const columns = ['id', 'plan', 'plan_hash', ...Object.values(RUN_COLUMNS).map((spec) => spec.column)]
  return `INSERT INTO runs (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`
}
