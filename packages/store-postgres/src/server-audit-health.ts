import type { Pool } from 'pg'
import { PipewrightError } from '@pipewright/plugin-api'
import {
  AUDIT_HEAD_KEY, auditRowToEntry, chainAuditEntry,
  type ApiTokenRecord, type ApiTokenRole, type AuditEntry, type AuditEntryInput, type AuditRow, type AuditFilter, type AuditHead, type HealthFilter, type HealthRecord, type LeaseRecord, type ServerActionRecord,
} from '@pipewright/store-api'
import { transaction } from './environments.js'

/** Serializes audit appends across every process and host on the database (transaction-scoped). */
const AUDIT_LOCK = 'pipewright.audit'

/**
 * The audit trail on PostgreSQL. An append is one transaction under an advisory lock: the head is
 * read, the entry chained and inserted and the head (in `state`) moved, so two hosts appending at
 * once chain one after the other and the chain never forks. Entries are never updated or deleted.
 */
export class AuditTable {
  constructor(private readonly pool: Pool) {}

  append(input: AuditEntryInput): Promise<AuditEntry> {
    return transaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [AUDIT_LOCK])
      const { rows } = await client.query<{ value: string }>('SELECT value FROM state WHERE key = $1', [AUDIT_HEAD_KEY])
      const entry = chainAuditEntry(input, rows[0] && (JSON.parse(rows[0].value) as AuditHead))
      await client.query('INSERT INTO audit (seq, at, action, actor, source, subject, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [entry.seq, entry.at, entry.action, entry.actor, entry.source, JSON.stringify(entry.subject ?? null), JSON.stringify(entry.data ?? null), entry.prevHash, entry.hash])
      await client.query('INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [AUDIT_HEAD_KEY, JSON.stringify({ seq: entry.seq, hash: entry.hash })])
      return entry
    })
  }

  async head(): Promise<AuditHead | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM state WHERE key = $1', [AUDIT_HEAD_KEY])
    return rows[0] && (JSON.parse(rows[0].value) as AuditHead)
  }

  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const values: unknown[] = []
    const param = (value: unknown) => `$${values.push(value)}`
    const where: string[] = []
    if (filter.since !== undefined) where.push(`at >= ${param(filter.since)}`)
    if (filter.until !== undefined) where.push(`at < ${param(filter.until)}`)
    if (filter.afterSeq !== undefined) where.push(`seq > ${param(filter.afterSeq)}`)
    if (filter.action !== undefined) where.push(`action = ${param(filter.action)}`)
    if (filter.runId !== undefined) where.push(`(subject::jsonb ->> 'runId') = ${param(filter.runId)}`)
    if (filter.deploymentId !== undefined) where.push(`(subject::jsonb ->> 'deploymentId') = ${param(filter.deploymentId)}`)
    const limit = filter.limit !== undefined ? ` LIMIT ${param(Math.max(0, filter.limit))}` : ''
    const { rows } = await this.pool.query<AuditRow>(`SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq${limit}`, values)
    return rows.map(auditRowToEntry)
  }
}

/** Environments' health history: each record as JSON, with the columns its filters need. */
export class HealthTable {
  constructor(private readonly pool: Pool) {}

  async add(records: HealthRecord[]): Promise<void> {
    if (records.length === 0) return
    await transaction(this.pool, async (client) => {
      for (const r of records) {
        await client.query('INSERT INTO health_records (environment, at, kind, run_id, record) VALUES ($1, $2, $3, $4, $5)', [r.environment, r.at, r.kind, r.runId ?? null, JSON.stringify(r)])
      }
    })
  }

  async list(filter: HealthFilter): Promise<HealthRecord[]> {
    const values: unknown[] = []
    const param = (value: unknown) => `$${values.push(value)}`
    const where: string[] = []
    if (filter.environment !== undefined) where.push(`environment = ${param(filter.environment)}`)
    if (filter.kind !== undefined) where.push(`kind = ${param(filter.kind)}`)
    if (filter.runId !== undefined) where.push(`run_id = ${param(filter.runId)}`)
    if (filter.before !== undefined) where.push(`at < ${param(filter.before)}`)
    const limit = filter.limit !== undefined ? ` LIMIT ${param(Math.max(0, Math.floor(filter.limit)))}` : ''
    const { rows } = await this.pool.query<{ record: string }>(`SELECT record FROM health_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC${limit}`, values)
    return rows.map((row) => JSON.parse(row.record) as HealthRecord)
  }
}

interface TokenRow {
  hash: string
  name: string
  role: string
  created_at: number
  revoked_at: number | null
}

function rowToToken(row: TokenRow): ApiTokenRecord {
  const token: ApiTokenRecord = { name: row.name, role: row.role as ApiTokenRole, hash: row.hash, createdAt: row.created_at }
  if (row.revoked_at !== null) token.revokedAt = row.revoked_at
  return token
}

/**
 * The server's tables: API tokens (hashes only), one-time claims, leases and recorded actions. A
 * claim is a unique insert (`ON CONFLICT DO NOTHING`) and a lease one conditional upsert
 * (`ON CONFLICT DO UPDATE … WHERE`, which locks the row), so two servers on one database never both win one.
 */
export class ServerTables {
  constructor(private readonly pool: Pool) {}

  async addToken(token: ApiTokenRecord): Promise<void> {
    try {
      await this.pool.query('INSERT INTO api_tokens (hash, name, role, created_at) VALUES ($1, $2, $3, $4)', [token.hash, token.name, token.role, token.createdAt])
    } catch (error) {
      if ((error as { code?: unknown }).code !== '23505') throw error
      throw new PipewrightError('PW_ERR_USAGE', `A token named ${token.name} already exists`, { details: `Revoke it first (pipewright token revoke ${token.name}) or choose another name.` })
    }
  }

  async findToken(hash: string): Promise<ApiTokenRecord | undefined> {
    const { rows } = await this.pool.query<TokenRow>('SELECT * FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL', [hash])
    return rows[0] && rowToToken(rows[0])
  }

  async listTokens(): Promise<ApiTokenRecord[]> {
    return (await this.pool.query<TokenRow>('SELECT * FROM api_tokens ORDER BY created_at, ord')).rows.map(rowToToken)
  }

  async revokeToken(name: string, at: number): Promise<boolean> {
    return ((await this.pool.query('UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL', [at, name])).rowCount ?? 0) > 0
  }

  async claim(scope: string, key: string, at: number): Promise<boolean> {
    return ((await this.pool.query('INSERT INTO claims (scope, key, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [scope, key, at])).rowCount ?? 0) === 1
  }

  async lastClaim(scope: string, prefix: string): Promise<{ key: string; at: number } | undefined> {
    const { rows } = await this.pool.query<{ key: string; at: number }>('SELECT key, at FROM claims WHERE scope = $1 AND left(key, length($2)) = $2 ORDER BY at DESC, ord DESC LIMIT 1', [scope, prefix])
    return rows[0] && { key: rows[0].key, at: rows[0].at }
  }

  async acquireLease(scope: string, key: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const result = await this.pool.query(`INSERT INTO leases (scope, key, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (scope, key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
        acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END
      WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.acquired_at`, [scope, key, holder, now, now + ttlMs])
    return (result.rowCount ?? 0) === 1
  }

  async releaseLease(scope: string, key: string, holder: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM leases WHERE scope = $1 AND key = $2 AND holder = $3', [scope, key, holder])).rowCount ?? 0) === 1
  }

  async listLeases(scope: string, now: number): Promise<LeaseRecord[]> {
    const { rows } = await this.pool.query<{ scope: string; key: string; holder: string; acquired_at: number; expires_at: number }>('SELECT * FROM leases WHERE scope = $1 AND expires_at > $2 ORDER BY key', [scope, now])
    return rows.map((row) => ({ scope: row.scope, key: row.key, holder: row.holder, acquiredAt: row.acquired_at, expiresAt: row.expires_at }))
  }

  async addAction(action: ServerActionRecord): Promise<void> {
    await this.pool.query('INSERT INTO server_actions (at, actor, role, action, target, status) VALUES ($1, $2, $3, $4, $5, $6)', [action.at, action.actor, action.role, action.action, action.target ?? null, action.status])
  }

  async listActions(limit: number): Promise<ServerActionRecord[]> {
    const { rows } = await this.pool.query<{ at: number; actor: string; role: string; action: string; target: string | null; status: number }>('SELECT * FROM server_actions ORDER BY id DESC LIMIT $1', [limit])
    return rows.map((row) => ({ at: row.at, actor: row.actor, role: row.role, action: row.action, status: row.status, ...(row.target !== null ? { target: row.target } : {}) }))
  }
}
