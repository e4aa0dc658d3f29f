import type { Pool, PoolClient } from 'pg'
import {
  approverKey, decideAcquisition, lockState,
  type ApprovalRecord, type DeploymentFilter, type DeploymentRecord, type EnvironmentLockState, type LockAcquisition, type LockEntry, type LockRequest,
} from '@pipewright/store-api'

interface LockRow {
  seq: number; environment: string; run_id: string; stage_id: string; pipeline: string; token: string
  pid: number; host: string; at: number; enqueued_at: number; acquired_at: number | null
}

interface ApprovalRow { run_id: string; stage_id: string; environment: string; decision: string; by: string; comment: string | null; at: number }

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

/** Runs `work` in one transaction on one pooled connection. */
export async function transaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

/**
 * Deployments, environment locks and approvals on PostgreSQL. An acquisition locks the
 * environment's row (`SELECT … FOR UPDATE`) before it reads the entries, so the decision of
 * `decideAcquisition` is made on what no other connection — on any host — can change meanwhile;
 * the row lock ends with the transaction, also when the connection dies.
 */
export class EnvironmentTables {
  constructor(private readonly pool: Pool) {}

  async addDeployment(d: DeploymentRecord): Promise<void> {
    await this.pool.query(`INSERT INTO deployments (id, environment, pipeline, run_id, stage_id, kind, version, outcome, started_at, finished_at, record)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      ON CONFLICT (id) DO UPDATE SET environment = excluded.environment, pipeline = excluded.pipeline, run_id = excluded.run_id, stage_id = excluded.stage_id,
        kind = excluded.kind, version = excluded.version, outcome = excluded.outcome, started_at = excluded.started_at, finished_at = excluded.finished_at, record = excluded.record`,
    [d.id, d.environment, d.pipeline, d.runId, d.stageId, d.kind, d.version, d.outcome, d.startedAt, d.finishedAt, JSON.stringify(d)])
  }

  async getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    const { rows } = await this.pool.query<{ record: string }>('SELECT record FROM deployments WHERE id = $1', [id])
    return rows[0] && (JSON.parse(rows[0].record) as DeploymentRecord)
  }

  /** False when there is no such deployment. */
  async markRolledBack(id: string, rollbackId: string): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      const { rows } = await client.query<{ record: string }>('SELECT record FROM deployments WHERE id = $1 FOR UPDATE', [id])
      if (!rows[0]) return false
      const updated: DeploymentRecord = { ...(JSON.parse(rows[0].record) as DeploymentRecord), outcome: 'rolled-back', rolledBackBy: rollbackId }
      await client.query('UPDATE deployments SET outcome = $1, record = $2 WHERE id = $3', ['rolled-back', JSON.stringify(updated), id])
      return true
    })
  }

  async listDeployments(filter: DeploymentFilter): Promise<DeploymentRecord[]> {
    const outcomes = filter.outcome === undefined ? undefined : Array.isArray(filter.outcome) ? filter.outcome : [filter.outcome]
    if (outcomes?.length === 0) return []
    const values: unknown[] = []
    const param = (value: unknown) => `$${values.push(value)}`
    const where: string[] = []
    for (const field of ['environment', 'pipeline', 'version', 'kind'] as const) {
      if (filter[field] !== undefined) where.push(`${field} = ${param(filter[field])}`)
    }
    if (outcomes) where.push(`outcome = ANY(${param(outcomes)})`)
    if (filter.before) {
      const at = param(filter.before.finishedAt)
      where.push(`(finished_at < ${at} OR (finished_at = ${at} AND id < ${param(filter.before.id)}))`)
    }
    const limit = filter.limit !== undefined ? ` LIMIT ${param(Math.max(0, filter.limit))}` : ''
    const text = `SELECT record FROM deployments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY finished_at DESC, id DESC${limit}`
    const { rows } = await this.pool.query<{ record: string }>(text, values)
    return rows.map((r) => JSON.parse(r.record) as DeploymentRecord)
  }

  private async lockEntries(client: Pool | PoolClient, environment: string): Promise<LockEntry[]> {
    const { rows } = await client.query<LockRow>('SELECT * FROM environment_locks WHERE environment = $1 ORDER BY seq', [environment])
    return rows.map(rowToLock)
  }

  async acquireLock(environment: string, request: LockRequest): Promise<LockAcquisition> {
    return transaction(this.pool, async (client) => {
      await client.query('INSERT INTO environments (name) VALUES ($1) ON CONFLICT DO NOTHING', [environment])
      await client.query('SELECT name FROM environments WHERE name = $1 FOR UPDATE', [environment])
      const entries = await this.lockEntries(client, environment)
      const known = entries.some((e) => e.runId === request.runId && e.stageId === request.stageId)
      // A new requester's seq comes from the insert (a sequence: never reused); the placeholder is replaced below.
      const { entry, result } = decideAcquisition(environment, entries, request, () => Number.MAX_SAFE_INTEGER)
      if (known) {
        await client.query('UPDATE environment_locks SET pipeline = $1, token = $2, pid = $3, host = $4, at = $5, acquired_at = $6 WHERE environment = $7 AND run_id = $8 AND stage_id = $9',
          [entry.pipeline, entry.token, entry.pid, entry.host, entry.at, entry.acquiredAt ?? null, environment, entry.runId, entry.stageId])
        return result
      }
      const { rows } = await client.query<{ seq: number }>(`INSERT INTO environment_locks (environment, run_id, stage_id, pipeline, token, pid, host, at, enqueued_at, acquired_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq`,
      [environment, entry.runId, entry.stageId, entry.pipeline, entry.token, entry.pid, entry.host, entry.at, entry.enqueuedAt, entry.acquiredAt ?? null])
      return { ...result, entry: { ...result.entry, seq: rows[0]!.seq } }
    })
  }

  async releaseLock(environment: string, owner: { runId: string; stageId: string; token?: string }): Promise<boolean> {
    const removed = owner.token === undefined
      ? await this.pool.query('DELETE FROM environment_locks WHERE environment = $1 AND run_id = $2 AND stage_id = $3', [environment, owner.runId, owner.stageId])
      : await this.pool.query('DELETE FROM environment_locks WHERE environment = $1 AND run_id = $2 AND stage_id = $3 AND token = $4', [environment, owner.runId, owner.stageId, owner.token])
    return (removed.rowCount ?? 0) > 0
  }

  async lock(environment: string): Promise<EnvironmentLockState> {
    return lockState(environment, await this.lockEntries(this.pool, environment))
  }

  async locks(): Promise<EnvironmentLockState[]> {
    const { rows } = await this.pool.query<LockRow>('SELECT * FROM environment_locks ORDER BY environment, seq')
    const byName = new Map<string, LockEntry[]>()
    for (const row of rows) {
      const list = byName.get(row.environment) ?? []
      list.push(rowToLock(row))
      byName.set(row.environment, list)
    }
    return [...byName].map(([name, entries]) => lockState(name, entries))
  }

  async addApproval(a: ApprovalRecord): Promise<void> {
    await this.pool.query(`INSERT INTO approvals (run_id, stage_id, approver_key, environment, decision, by, comment, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (run_id, stage_id, approver_key) DO UPDATE SET environment = excluded.environment, decision = excluded.decision, by = excluded.by, comment = excluded.comment, at = excluded.at`,
    [a.runId, a.stageId, approverKey(a.by), a.environment, a.decision, a.by, a.comment ?? null, a.at])
  }

  async listApprovals(runId: string, stageId?: string): Promise<ApprovalRecord[]> {
    const { rows } = stageId === undefined
      ? await this.pool.query<ApprovalRow>('SELECT * FROM approvals WHERE run_id = $1 ORDER BY at, ord', [runId])
      : await this.pool.query<ApprovalRow>('SELECT * FROM approvals WHERE run_id = $1 AND stage_id = $2 ORDER BY at, ord', [runId, stageId])
    return rows.map(rowToApproval)
  }
}
