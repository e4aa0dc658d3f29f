import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import type Database from 'better-sqlite3'
import { PipewrightError, isPipewrightError, type StoredRecord } from '@pipewright/plugin-api'
import type {
  ApiTokenRecord, ApprovalRecord, ArtifactRecord, AuditEntry, AuditEntryInput, AuditFilter, AuditHead, CacheEntry, DeploymentFilter, DeploymentRecord, EnvironmentLockState, HealthFilter, HealthRecord, LockAcquisition, LockRequest, LogLine, PruneFilter, RecordFilter, RunFilter, RunRecord, ServerActionRecord, LeaseRecord,
  StageRecord, Store, StoredEvent,
} from '@pipewright/store-api'
import { AuditTable } from './audit.js'
import { EnvironmentTables } from './environments.js'
import { ServerTables } from './server-tables.js'
import { closedStoreError, databaseError } from './errors.js'
import { addHealthRecords, listHealthRecords } from './health.js'
import { openDatabase } from './open-database.js'
import {
  RUN_COLUMNS, json, rowToArtifact, rowToCache, rowToEvent, rowToLog, rowToRecord, rowToRun, rowToStage, runToRow, stageToRow,
  type ArtifactRow, type CacheRow, type EventRow, type LogRow, type RecordRow, type RunRow, type StageRow,
} from './rows.js'
import { RUN_SELECT, SQL, insertRunSql } from './statements.js'
import { WriteBuffer } from './write-buffer.js'

export interface SqliteStoreOptions {
  /** Home directory: holds `pipewright.db` and `artifacts/`; created if missing (see `resolveHome`). */
  dir: string
}

/**
 * The embedded default store: one SQLite database in WAL mode that several processes may use at
 * once. Writes are buffered and committed in one transaction at most 20 ms later (and on
 * `flush()`, `close()` and normal process exit); reads commit pending writes first, so a store
 * always sees its own writes.
 *
 * @throws PipewrightError `PW_ERR_STORE` if the directory cannot be written, the file is not a
 * SQLite database, or it was written by a newer schema; the file is then left unchanged.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const { db, path, artifactDir } = openDatabase(resolve(options.dir))
  return new SqliteStore(db, path, artifactDir)
}

class SqliteStore implements Store {
  readonly kind = 'sqlite'
  private readonly statements = new Map<string, Database.Statement>()
  private readonly buffer: WriteBuffer
  /** Runs known to exist, so `updateRun` can be buffered without a lookup. */
  private readonly knownRuns = new Set<string>()
  private readonly environments: EnvironmentTables
  private readonly audit: AuditTable
  private readonly server: ServerTables
  private closed = false

  constructor(
    private readonly db: Database.Database,
    /** Absolute path of the database file, for messages. */
    readonly path: string,
    readonly artifactDir: string,
  ) {
    this.buffer = new WriteBuffer(db)
    this.environments = new EnvironmentTables(db, (text) => this.sql(text))
    this.audit = new AuditTable(db, (text) => this.sql(text))
    this.server = new ServerTables((text) => this.sql(text))
  }

  async addDeployment(deployment: DeploymentRecord): Promise<void> {
    this.run('addDeployment', () => {
      this.buffer.flush()
      this.environments.addDeployment(deployment)
    })
  }

  async markDeploymentRolledBack(id: string, rollbackId: string): Promise<void> {
    this.run('markDeploymentRolledBack', () => {
      this.buffer.flush()
      if (!this.environments.markRolledBack(id, rollbackId)) throw new PipewrightError('PW_ERR_STORE', `Deployment ${id} is not in ${this.path}`)
    })
  }

  async getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    return this.read('getDeployment', () => this.environments.getDeployment(id))
  }

  async listDeployments(filter: DeploymentFilter = {}): Promise<DeploymentRecord[]> {
    return this.read('listDeployments', () => this.environments.listDeployments(filter))
  }

  async acquireEnvironmentLock(environment: string, request: LockRequest): Promise<LockAcquisition> {
    return this.read('acquireEnvironmentLock', () => this.environments.acquireLock(environment, request))
  }

  async releaseEnvironmentLock(environment: string, owner: { runId: string; stageId: string; token?: string }): Promise<boolean> {
    return this.read('releaseEnvironmentLock', () => this.environments.releaseLock(environment, owner))
  }

  async getEnvironmentLock(environment: string): Promise<EnvironmentLockState> {
    return this.read('getEnvironmentLock', () => this.environments.lock(environment))
  }

  async listEnvironmentLocks(): Promise<EnvironmentLockState[]> {
    return this.read('listEnvironmentLocks', () => this.environments.locks())
  }

  async addApproval(approval: ApprovalRecord): Promise<void> {
    this.run('addApproval', () => {
      this.buffer.flush()
      this.environments.addApproval(approval)
    })
  }

  async listApprovals(runId: string, stageId?: string): Promise<ApprovalRecord[]> {
    return this.read('listApprovals', () => this.environments.listApprovals(runId, stageId))
  }

  async addHealthRecords(records: HealthRecord[]): Promise<void> {
    this.run('addHealthRecords', () => addHealthRecords(this.db, (text) => this.sql(text), records))
  }

  async listHealthRecords(filter: HealthFilter = {}): Promise<HealthRecord[]> {
    return this.read('listHealthRecords', () => listHealthRecords((text) => this.sql(text), filter))
  }

  async addApiToken(token: ApiTokenRecord): Promise<void> {
    this.read('addApiToken', () => this.server.addToken(token))
  }

  async findApiToken(hash: string): Promise<ApiTokenRecord | undefined> {
    return this.read('findApiToken', () => this.server.findToken(hash))
  }

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    return this.read('listApiTokens', () => this.server.listTokens())
  }

  async revokeApiToken(name: string, at: number): Promise<boolean> {
    return this.read('revokeApiToken', () => this.server.revokeToken(name, at))
  }

  async claimOnce(scope: string, key: string, at: number): Promise<boolean> {
    return this.read('claimOnce', () => this.server.claim(scope, key, at))
  }

  async lastClaim(scope: string, prefix: string): Promise<{ key: string; at: number } | undefined> {
    return this.read('lastClaim', () => this.server.lastClaim(scope, prefix))
  }

  async acquireLease(scope: string, key: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    return this.read('acquireLease', () => this.server.acquireLease(scope, key, holder, now, ttlMs))
  }

  async releaseLease(scope: string, key: string, holder: string): Promise<boolean> {
    return this.read('releaseLease', () => this.server.releaseLease(scope, key, holder))
  }

  async listLeases(scope: string, now: number): Promise<LeaseRecord[]> {
    return this.read('listLeases', () => this.server.listLeases(scope, now))
  }

  async addServerAction(action: ServerActionRecord): Promise<void> {
    this.read('addServerAction', () => this.server.addAction(action))
  }

  async listServerActions(limit = 100): Promise<ServerActionRecord[]> {
    return this.read('listServerActions', () => this.server.listActions(limit))
  }

  async createRun(run: RunRecord): Promise<void> {
    this.run('createRun', () => {
      this.buffer.flush()
      try {
        this.sql(insertRunSql()).run(runToRow(run, this.putPlan(run.plan)))
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error
        throw new PipewrightError('PW_ERR_STORE', `Run ${run.id} already exists in ${this.path}`, { details: 'Give every run a new id; use updateRun to change an existing run.' })
      }
      this.knownRuns.add(run.id)
    })
  }

  async updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
    this.run('updateRun', () => {
      if (!this.knownRuns.has(id)) {
        this.buffer.flush()
        if (this.sql(SQL.runExists).get(id) === undefined) throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${id} is not in ${this.path}`)
        this.knownRuns.add(id)
      }
      const params: Record<string, unknown> = { id }
      const assignments: string[] = []
      if (patch.plan !== undefined) {
        assignments.push("plan = '', plan_hash = @plan_hash")
        params.plan_hash = this.putPlan(patch.plan)
      }
      for (const [field, value] of Object.entries(patch)) {
        const spec = RUN_COLUMNS[field]
        if (spec === undefined || (value === undefined && !spec.optional)) continue
        assignments.push(`${spec.column} = @${spec.column}`)
        params[spec.column] = spec.json ? json(value) : (value ?? null)
      }
      if (assignments.length > 0) this.buffer.add(this.sql(`UPDATE runs SET ${assignments.join(', ')} WHERE id = @id`), params)
    })
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.read('getRun', () => {
      const row = this.sql(SQL.getRun).get(id) as RunRow | undefined
      return row && rowToRun(row)
    })
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    return this.read('listRuns', () => {
      const statuses = filter.status === undefined ? undefined : Array.isArray(filter.status) ? filter.status : [filter.status]
      if (statuses?.length === 0) return []
      const where = [
        filter.pipeline !== undefined && 'runs.pipeline = @pipeline',
        statuses !== undefined && `runs.status IN (${statuses.map((_, i) => `@s${i}`).join(', ')})`,
        filter.branch !== undefined && 'runs.branch = @branch',
        filter.before !== undefined && '(runs.created_at < @beforeAt OR (runs.created_at = @beforeAt AND runs.id < @beforeId))',
      ].filter(Boolean)
      const sql = `${RUN_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY runs.created_at DESC, runs.id DESC${filter.limit !== undefined ? ' LIMIT @limit' : ''}`
      const params: Record<string, unknown> = {
        pipeline: filter.pipeline, branch: filter.branch, beforeAt: filter.before?.createdAt, beforeId: filter.before?.id, limit: Math.max(0, filter.limit ?? 0),
        ...Object.fromEntries((statuses ?? []).map((status, i) => [`s${i}`, status])),
      }
      return (this.sql(sql).all(pick(params, Object.keys(params), sql)) as RunRow[]).map(rowToRun)
    })
  }

  async pruneRuns(filter: PruneFilter): Promise<{ runs: number }> {
    return this.run('pruneRuns', () => {
      this.buffer.flush()
      const select = filter.pipeline === undefined ? this.sql(SQL.prunableRuns) : this.sql(SQL.prunableRunsOf)
      const params = filter.pipeline === undefined ? { before: filter.finishedBefore } : { before: filter.finishedBefore, pipeline: filter.pipeline }
      const ids = (select.all(params) as Array<{ id: string }>).map((row) => row.id)
      const deletes = SQL.pruneRun.map((text) => this.sql(text))
      this.db.transaction(() => {
        for (const id of ids) for (const statement of deletes) statement.run(id)
        this.sql(SQL.prunePlans).run()
      }).immediate()
      for (const id of ids) this.knownRuns.delete(id)
      return { runs: ids.length }
    })
  }

  async putStage(stage: StageRecord): Promise<void> {
    this.run('putStage', () => this.buffer.add(this.sql(SQL.putStage), stageToRow(stage)))
  }

  async getStages(runId: string): Promise<StageRecord[]> {
    return this.read('getStages', () => (this.sql(SQL.getStages).all(runId) as StageRow[]).map(rowToStage))
  }

  async appendEvents(events: StoredEvent[]): Promise<void> {
    this.run('appendEvents', () => {
      const statement = this.sql(SQL.putEvent)
      for (const e of events) this.buffer.add(statement, [e.runId, e.seq, e.type, json(e.payload), e.at])
    })
  }

  async getEvents(runId: string, afterSeq?: number): Promise<StoredEvent[]> {
    return this.read('getEvents', () => {
      const rows = afterSeq === undefined ? this.sql(SQL.getEvents).all(runId) : this.sql(SQL.getEventsAfter).all(runId, afterSeq)
      return (rows as EventRow[]).map(rowToEvent)
    })
  }

  async appendLogs(lines: LogLine[]): Promise<void> {
    this.run('appendLogs', () => {
      const statement = this.sql(SQL.putLog)
      for (const l of lines) this.buffer.add(statement, [l.runId, l.seq, l.stageId, l.stream, l.line, l.at])
    })
  }

  async getLogs(runId: string, options: { stageId?: string; afterSeq?: number; limit?: number } = {}): Promise<LogLine[]> {
    return this.read('getLogs', () => {
      const where = ['run_id = @runId', options.stageId !== undefined && 'stage_id = @stageId', options.afterSeq !== undefined && 'seq > @afterSeq'].filter(Boolean)
      const sql = `SELECT * FROM logs WHERE ${where.join(' AND ')} ORDER BY seq${options.limit !== undefined ? ' LIMIT @limit' : ''}`
      const params = { runId, stageId: options.stageId, afterSeq: options.afterSeq, limit: Math.max(0, options.limit ?? 0) }
      return (this.sql(sql).all(pick(params, ['runId', 'stageId', 'afterSeq', 'limit'], sql)) as LogRow[]).map(rowToLog)
    })
  }

  async putCache(entry: CacheEntry): Promise<void> {
    this.run('putCache', () => this.buffer.add(this.sql(SQL.putCache), [entry.key, entry.runId, entry.stageId, JSON.stringify(entry.outputs), JSON.stringify(entry.artifacts), entry.summary ?? null, json(entry.gates), entry.createdAt]))
  }

  async getCache(key: string): Promise<CacheEntry | undefined> {
    return this.read('getCache', () => {
      const row = this.sql(SQL.getCache).get(key) as CacheRow | undefined
      return row && rowToCache(row)
    })
  }

  async addArtifact(a: ArtifactRecord): Promise<void> {
    this.run('addArtifact', () => this.buffer.add(this.sql(SQL.putArtifact), [a.runId, a.stageId, a.path, a.digest, a.size, a.createdAt]))
  }

  async listArtifacts(runId: string): Promise<ArtifactRecord[]> {
    return this.read('listArtifacts', () => (this.sql(SQL.listArtifacts).all(runId) as ArtifactRow[]).map(rowToArtifact))
  }

  async saveRecord(pipeline: string, r: Omit<StoredRecord, 'runStatus' | 'branch' | 'sha'>): Promise<void> {
    this.run('saveRecord', () => this.buffer.add(this.sql(SQL.putRecord), [pipeline, r.runId, r.stageId, r.kind, json(r.data), r.createdAt]))
  }

  async findRecords(filter: RecordFilter): Promise<StoredRecord[]> {
    return this.read('findRecords', () => {
      const where = [
        'r.pipeline = @pipeline', 'r.kind = @kind',
        filter.runId !== undefined && 'r.run_id = @runId',
        filter.excludeRunId !== undefined && 'r.run_id <> @excludeRunId',
        filter.stageId !== undefined && 'r.stage_id = @stageId',
        filter.branch !== undefined && 'runs.branch = @branch',
        filter.runStatus !== undefined && "COALESCE(runs.status, 'unknown') = @runStatus",
      ].filter(Boolean)
      const sql = `SELECT r.run_id, r.stage_id, r.kind, r.data, r.created_at, runs.status AS run_status, runs.branch, runs.sha
        FROM records r LEFT JOIN runs ON runs.id = r.run_id WHERE ${where.join(' AND ')}
        ORDER BY r.created_at DESC, r.id DESC${filter.limit !== undefined ? ' LIMIT @limit' : ''}`
      const params = { ...filter, limit: Math.max(0, filter.limit ?? 0) }
      return (this.sql(sql).all(pick(params, Object.keys(params), sql)) as RecordRow[]).map(rowToRecord)
    })
  }

  async copyStageRecords(pipeline: string, from: { runId: string; stageId: string }, to: { runId: string; stageId: string }, createdAt: number): Promise<number> {
    return this.run('copyStageRecords', () => {
      this.buffer.flush()
      return this.sql(SQL.copyStageRecords).run({ pipeline, fromRun: from.runId, fromStage: from.stageId, toRun: to.runId, toStage: to.stageId, createdAt }).changes
    })
  }

  async getState<T = unknown>(key: string): Promise<T | undefined> {
    return this.read('getState', () => {
      const row = this.sql(SQL.getState).get(key) as { value: string } | undefined
      return row && (JSON.parse(row.value) as T)
    })
  }

  async setState(key: string, value: unknown): Promise<void> {
    this.run('setState', () => {
      if (value === undefined) return this.buffer.add(this.sql(SQL.deleteState), [key])
      const text = JSON.stringify(value)
      if (text === undefined) throw new PipewrightError('PW_ERR_STORE', `State value ${key} cannot be stored: it is not JSON`, { details: 'Store plain data (objects, arrays, strings, numbers, booleans, null).' })
      this.buffer.add(this.sql(SQL.putState), [key, text])
    })
  }

  async appendAudit(entry: AuditEntryInput): Promise<AuditEntry> {
    return this.run('appendAudit', () => {
      this.buffer.flush()
      return this.audit.append(entry)
    })
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.read('listAudit', () => this.audit.list(filter))
  }

  async getAuditHead(): Promise<AuditHead | undefined> {
    return this.read('getAuditHead', () => this.audit.head())
  }

  async flush(): Promise<void> {
    this.run('flush', () => this.flushAndReport())
  }

  async close(): Promise<void> {
    if (this.closed) return
    try {
      this.run('close', () => this.flushAndReport())
    } finally {
      this.closed = true
      this.buffer.dispose()
      this.db.close()
    }
  }

  /** Keeps a plan once, under the SHA-256 of its JSON; returns the hash. */
  private putPlan(plan: RunRecord['plan']): string {
    const text = JSON.stringify(plan)
    const hash = createHash('sha256').update(text).digest('hex')
    this.sql(SQL.putPlan).run(hash, text)
    return hash
  }

  private flushAndReport(): void {
    this.buffer.flush()
    const rejected = this.buffer.takeRejected()
    if (rejected.length > 0) {
      throw new PipewrightError('PW_ERR_STORE', `Store ${this.path}: ${rejected.length} buffered write(s) were refused and dropped: ${rejected[0]!.message}`, {
        details: 'The values did not fit the store (wrong type or missing field); this is a bug in the caller. Other writes were kept.',
        cause: rejected[0],
      })
    }
  }

  /** Runs a synchronous store operation, turning SQLite errors into PW_ERR_STORE. */
  private run<T>(action: string, operation: () => T): T {
    if (this.closed) throw closedStoreError(this.path)
    try {
      return operation()
    } catch (error) {
      throw isPipewrightError(error) ? error : databaseError(this.path, action, error)
    }
  }

  /** Reads see this process's buffered writes: they are committed first. */
  private read<T>(action: string, query: () => T): T {
    return this.run(action, () => {
      this.buffer.flush()
      return query()
    })
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text)
    if (statement === undefined) {
      statement = this.db.prepare(text)
      this.statements.set(text, statement)
    }
    return statement
  }
}

/** better-sqlite3 refuses named parameters the SQL does not use; pass only those it mentions. */
function pick(params: Record<string, unknown>, names: string[], sql: string): Record<string, unknown> {
  const picked: Record<string, unknown> = {}
  for (const name of names) if (sql.includes(`@${name}`)) picked[name] = params[name]
  return picked
}
