import type Database from 'better-sqlite3'
import {
  approverKey,
  decideAcquisition,
  lockState,
  type ApprovalRecord,
  type DeploymentFilter,
  type DeploymentRecord,
  type EnvironmentLockState,
  type LockAcquisition,
  type LockEntry,
  type LockRequest,
} from '@pipewright/store-api'

interface LockRow {
  seq: number
  environment: string
  run_id: string
  stage_id: string
  pipeline: string
  token: string
  pid: number
  host: string
  at: number
  enqueued_at: number
  acquired_at: number | null
}

interface ApprovalRow {
  run_id: string
  stage_id: string
  environment: string
  decision: string
  by: string
  comment: string | null
  at: number
}

function rowToLock(row: LockRow): LockEntry {
  const entry: LockEntry = {
    runId: row.run_id, stageId: row.stage_id, pipeline: row.pipeline, token: row.token, pid: row.pid, host: row.host, at: row.at, seq: row.seq, enqueuedAt: row.enqueued_at,
  }
  if (row.acquired_at !== null) entry.acquiredAt = row.acquired_at
  return entry
}

function rowToApproval(row: ApprovalRow): ApprovalRecord {
  const approval: ApprovalRecord = { runId: row.run_id, stageId: row.stage_id, environment: row.environment, decision: row.decision as ApprovalRecord['decision'], by: row.by, at: row.at }
  if (row.comment !== null) approval.comment = row.comment
  return approval
}

type Prepare = (sql: string) => Database.Statement

/**
 * Deployments, environment locks and approvals on SQLite. Lock operations are IMMEDIATE
 * transactions (the write lock is taken before the read), so the decision of
 * `decideAcquisition` is made on what no other process can change meanwhile.
 */
export class EnvironmentTables {
  constructor(
    private readonly db: Database.Database,
    private readonly sql: Prepare,
  ) {}

  addDeployment(d: DeploymentRecord): void {
    this.sql(`INSERT OR REPLACE INTO deployments (id, environment, pipeline, run_id, stage_id, kind, version, outcome, started_at, finished_at, record)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(d.id, d.environment, d.pipeline, d.runId, d.stageId, d.kind, d.version, d.outcome, d.startedAt, d.finishedAt, JSON.stringify(d))
  }

  getDeployment(id: string): DeploymentRecord | undefined {
    const row = this.sql('SELECT record FROM deployments WHERE id = ?').get(id) as { record: string } | undefined
    return row && (JSON.parse(row.record) as DeploymentRecord)
  }

  /** False when there is no such deployment. */
  markRolledBack(id: string, rollbackId: string): boolean {
    return this.db.transaction(() => {
      const found = this.getDeployment(id)
      if (!found) return false
      const updated: DeploymentRecord = { ...found, outcome: 'rolled-back', rolledBackBy: rollbackId }
      this.sql('UPDATE deployments SET outcome = ?, record = ? WHERE id = ?').run('rolled-back', JSON.stringify(updated), id)
      return true
    }).immediate()
  }

  listDeployments(filter: DeploymentFilter): DeploymentRecord[] {
    const outcomes = filter.outcome === undefined ? undefined : Array.isArray(filter.outcome) ? filter.outcome : [filter.outcome]
    if (outcomes?.length === 0) return []
    const params: Record<string, unknown> = {}
    const where: string[] = []
    for (const [field, column] of [['environment', 'environment'], ['pipeline', 'pipeline'], ['version', 'version'], ['kind', 'kind']] as const) {
      if (filter[field] !== undefined) {
        where.push(`${column} = @${field}`)
        params[field] = filter[field]
      }
    }
    if (outcomes) {
      where.push(`outcome IN (${outcomes.map((_, i) => `@o${i}`).join(', ')})`)
      outcomes.forEach((o, i) => (params[`o${i}`] = o))
    }
    if (filter.before) {
      where.push('(finished_at < @beforeAt OR (finished_at = @beforeAt AND id < @beforeId))')
      params.beforeAt = filter.before.finishedAt
      params.beforeId = filter.before.id
    }
    if (filter.limit !== undefined) params.limit = Math.max(0, filter.limit)
    const text = `SELECT record FROM deployments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY finished_at DESC, id DESC${filter.limit !== undefined ? ' LIMIT @limit' : ''}`
    return (this.sql(text).all(params) as Array<{ record: string }>).map((r) => JSON.parse(r.record) as DeploymentRecord)
  }

  private lockEntries(environment: string): LockEntry[] {
    return (this.sql('SELECT * FROM environment_locks WHERE environment = ? ORDER BY seq').all(environment) as LockRow[]).map(rowToLock)
  }

  acquireLock(environment: string, request: LockRequest): LockAcquisition {
    return this.db.transaction(() => {
      const entries = this.lockEntries(environment)
      const known = entries.some((e) => e.runId === request.runId && e.stageId === request.stageId)
      // A new requester gets its seq from the insert (AUTOINCREMENT: never reused); the placeholder is replaced below.
      const { entry, result } = decideAcquisition(environment, entries, request, () => Number.MAX_SAFE_INTEGER)
      if (known) {
        this.sql('UPDATE environment_locks SET pipeline = ?, token = ?, pid = ?, host = ?, at = ?, acquired_at = ? WHERE environment = ? AND run_id = ? AND stage_id = ?')
          .run(entry.pipeline, entry.token, entry.pid, entry.host, entry.at, entry.acquiredAt ?? null, environment, entry.runId, entry.stageId)
        return result
      }
      const inserted = this.sql(`INSERT INTO environment_locks (environment, run_id, stage_id, pipeline, token, pid, host, at, enqueued_at, acquired_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(environment, entry.runId, entry.stageId, entry.pipeline, entry.token, entry.pid, entry.host, entry.at, entry.enqueuedAt, entry.acquiredAt ?? null)
      const seq = Number(inserted.lastInsertRowid)
      return { ...result, entry: { ...result.entry, seq } }
    }).immediate()
  }

  releaseLock(environment: string, owner: { runId: string; stageId: string; token?: string }): boolean {
    const removed = owner.token === undefined
      ? this.sql('DELETE FROM environment_locks WHERE environment = ? AND run_id = ? AND stage_id = ?').run(environment, owner.runId, owner.stageId)
      : this.sql('DELETE FROM environment_locks WHERE environment = ? AND run_id = ? AND stage_id = ? AND token = ?').run(environment, owner.runId, owner.stageId, owner.token)
    return removed.changes > 0
  }

  lock(environment: string): EnvironmentLockState {
    return lockState(environment, this.lockEntries(environment))
  }

  locks(): EnvironmentLockState[] {
    const names = (this.sql('SELECT DISTINCT environment FROM environment_locks ORDER BY environment').all() as Array<{ environment: string }>).map((r) => r.environment)
    return names.map((name) => this.lock(name))
  }

  addApproval(a: ApprovalRecord): void {
    this.sql(`INSERT INTO approvals (run_id, stage_id, approver_key, environment, decision, by, comment, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (run_id, stage_id, approver_key) DO UPDATE SET environment = excluded.environment, decision = excluded.decision, by = excluded.by, comment = excluded.comment, at = excluded.at`)
      .run(a.runId, a.stageId, approverKey(a.by), a.environment, a.decision, a.by, a.comment ?? null, a.at)
  }

  listApprovals(runId: string, stageId?: string): ApprovalRecord[] {
    const rows = stageId === undefined
      ? this.sql('SELECT * FROM approvals WHERE run_id = ? ORDER BY at, rowid').all(runId)
      : this.sql('SELECT * FROM approvals WHERE run_id = ? AND stage_id = ? ORDER BY at, rowid').all(runId, stageId)
    return (rows as ApprovalRow[]).map(rowToApproval)
  }
}
