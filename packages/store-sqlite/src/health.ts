import type Database from 'better-sqlite3'
import type { HealthFilter, HealthRecord } from '@pipewright/store-api'

type Prepare = (text: string) => Database.Statement

/** The `health_records` table: each record as JSON, with the columns its filters need. */
export function addHealthRecords(db: Database.Database, sql: Prepare, records: HealthRecord[]): void {
  const insert = sql('INSERT INTO health_records (environment, at, kind, run_id, record) VALUES (?, ?, ?, ?, ?)')
  db.transaction(() => {
    for (const r of records) insert.run(r.environment, r.at, r.kind, r.runId ?? null, JSON.stringify(r))
  }).immediate()
}

export function listHealthRecords(sql: Prepare, filter: HealthFilter): HealthRecord[] {
  const conditions: Array<[string, unknown]> = [
    ['environment = ?', filter.environment],
    ['kind = ?', filter.kind],
    ['run_id = ?', filter.runId],
    ['at < ?', filter.before],
  ]
  const used = conditions.filter(([, value]) => value !== undefined)
  const where = used.map(([text]) => text)
  const params = used.map(([, value]) => value)
  const limit = filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : ''
  const rows = sql(`SELECT record FROM health_records${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, rowid DESC${limit}`).all(...params) as Array<{ record: string }>
  return rows.map((row) => JSON.parse(row.record) as HealthRecord)
}
