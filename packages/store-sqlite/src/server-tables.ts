import type Database from 'better-sqlite3'
import { PipewrightError } from '@pipewright/plugin-api'
import type { ApiTokenRecord, ApiTokenRole, LeaseRecord, ServerActionRecord } from '@pipewright/store-api'

interface TokenRow {
  hash: string
  name: string
  role: string
  created_at: number
  revoked_at: number | null
}

interface ActionRow {
  at: number
  actor: string
  role: string
  action: string
  target: string | null
  status: number
}

function rowToToken(row: TokenRow): ApiTokenRecord {
  const token: ApiTokenRecord = { name: row.name, role: row.role as ApiTokenRole, hash: row.hash, createdAt: row.created_at }
  if (row.revoked_at !== null) token.revokedAt = row.revoked_at
  return token
}

function rowToAction(row: ActionRow): ServerActionRecord {
  const action: ServerActionRecord = { at: row.at, actor: row.actor, role: row.role, action: row.action, status: row.status }
  if (row.target !== null) action.target = row.target
  return action
}

type Prepare = (sql: string) => Database.Statement

/**
 * The server's tables: API tokens (hashes only), one-time claims, leases and recorded actions.
 * Claims are a unique insert and leases one conditional upsert, so two processes (or two servers
 * on one database) never both win one.
 */
export class ServerTables {
  constructor(private readonly sql: Prepare) {}

  addToken(token: ApiTokenRecord): void {
    try {
      this.sql('INSERT INTO api_tokens (hash, name, role, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)').run(token.hash, token.name, token.role, token.createdAt)
    } catch (error) {
      if (!String((error as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) throw error
      throw new PipewrightError('PW_ERR_USAGE', `A token named ${token.name} already exists`, { details: `Revoke it first (pipewright token revoke ${token.name}) or choose another name.` })
    }
  }

  findToken(hash: string): ApiTokenRecord | undefined {
    const row = this.sql('SELECT * FROM api_tokens WHERE hash = ? AND revoked_at IS NULL').get(hash) as TokenRow | undefined
    return row && rowToToken(row)
  }

  listTokens(): ApiTokenRecord[] {
    return (this.sql('SELECT * FROM api_tokens ORDER BY created_at, rowid').all() as TokenRow[]).map(rowToToken)
  }

  revokeToken(name: string, at: number): boolean {
    return this.sql('UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL').run(at, name).changes > 0
  }

  claim(scope: string, key: string, at: number): boolean {
    return this.sql('INSERT OR IGNORE INTO claims (scope, key, at) VALUES (?, ?, ?)').run(scope, key, at).changes === 1
  }

  lastClaim(scope: string, prefix: string): { key: string; at: number } | undefined {
    const row = this.sql("SELECT key, at FROM claims WHERE scope = ? AND substr(key, 1, length(?)) = ? ORDER BY at DESC, rowid DESC LIMIT 1").get(scope, prefix, prefix) as { key: string; at: number } | undefined
    return row && { key: row.key, at: row.at }
  }

  acquireLease(scope: string, key: string, holder: string, now: number, ttlMs: number): boolean {
    return this.sql(`INSERT INTO leases (scope, key, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (scope, key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
        acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END
      WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.acquired_at`).run(scope, key, holder, now, now + ttlMs).changes === 1
  }

  releaseLease(scope: string, key: string, holder: string): boolean {
    return this.sql('DELETE FROM leases WHERE scope = ? AND key = ? AND holder = ?').run(scope, key, holder).changes === 1
  }

  listLeases(scope: string, now: number): LeaseRecord[] {
    const rows = this.sql('SELECT * FROM leases WHERE scope = ? AND expires_at > ? ORDER BY key').all(scope, now) as Array<{ scope: string; key: string; holder: string; acquired_at: number; expires_at: number }>
    return rows.map((row) => ({ scope: row.scope, key: row.key, holder: row.holder, acquiredAt: row.acquired_at, expiresAt: row.expires_at }))
  }

  addAction(action: ServerActionRecord): void {
    this.sql('INSERT INTO server_actions (at, actor, role, action, target, status) VALUES (?, ?, ?, ?, ?, ?)').run(action.at, action.actor, action.role, action.action, action.target ?? null, action.status)
  }

  listActions(limit: number): ServerActionRecord[] {
    return (this.sql('SELECT * FROM server_actions ORDER BY id DESC LIMIT ?').all(limit) as ActionRow[]).map(rowToAction)
  }
}
