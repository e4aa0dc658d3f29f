import type Database from 'better-sqlite3'
import { AUDIT_HEAD_KEY, auditRowToEntry, chainAuditEntry, type AuditEntry, type AuditEntryInput, type AuditRow, type AuditFilter, type AuditHead } from '@pipewright/store-api'

type Prepare = (sql: string) => Database.Statement

/**
 * The audit trail on SQLite. An append is one IMMEDIATE transaction: the write lock is taken
 * before the head is read, so two processes appending at once chain one after the other. The head
 * (seq and hash of the last entry) is kept in the state table in the same transaction: removing
 * the last rows leaves it pointing past the end.
 */
export class AuditTable {
  constructor(private readonly db: Database.Database, private readonly sql: Prepare) {}

  append(input: AuditEntryInput): AuditEntry {
    return this.db.transaction(() => {
      const entry = chainAuditEntry(input, this.head())
      this.sql('INSERT INTO audit (seq, at, action, actor, source, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(entry.seq, entry.at, entry.action, entry.actor, entry.source, JSON.stringify(entry.subject ?? null), JSON.stringify(entry.data ?? null), entry.prevHash, entry.hash)
      this.sql('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
        .run(AUDIT_HEAD_KEY, JSON.stringify({ seq: entry.seq, hash: entry.hash }))
      return entry
    }).immediate()
  }

  /** The recorded head (undefined before the first append). */
  head(): AuditHead | undefined {
    const row = this.sql('SELECT value FROM state WHERE key = ?').get(AUDIT_HEAD_KEY) as { value: string } | undefined
    return row && (JSON.parse(row.value) as AuditHead)
  }

  list(filter: AuditFilter): AuditEntry[] {
    const where = [
      filter.since !== undefined && 'at >= @since',
      filter.until !== undefined && 'at < @until',
      filter.afterSeq !== undefined && 'seq > @afterSeq',
      filter.action !== undefined && 'action = @action',
      filter.runId !== undefined && "json_extract(subject, '$.runId') = @runId",
      filter.deploymentId !== undefined && "json_extract(subject, '$.deploymentId') = @deploymentId",
    ].filter(Boolean)
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq${filter.limit !== undefined ? ' LIMIT @limit' : ''}`
    const params: Record<string, unknown> = {}
    for (const [name, value] of Object.entries({ ...filter, limit: Math.max(0, filter.limit ?? 0) })) if (value !== undefined && sql.includes(`@${name}`)) params[name] = value
    return (this.sql(sql).all(params) as AuditRow[]).map(auditRowToEntry)
  }
}
