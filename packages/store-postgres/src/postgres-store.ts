import { createHash } from 'node:crypto'
import pg from 'pg'
import { PipewrightError, isPipewrightError, type StoredRecord } from '@pipewright/plugin-api'
import type {
  ApiTokenRecord, AuditEntry, AuditEntryInput, AuditFilter, AuditHead, HealthFilter, HealthRecord, LeaseRecord, ServerActionRecord,
  ApprovalRecord, ArtifactRecord, BlobStore, CacheEntry, DeploymentFilter, DeploymentRecord, EnvironmentLockState, LockAcquisition, LockRequest, LogLine, PruneFilter,
  RecordFilter, RunFilter, RunRecord, StageRecord, Store, StoredEvent,
} from '@pipewright/store-api'
import { parsePostgresUrl, unreachableError, type PostgresTarget } from './connection.js'
import { EnvironmentTables, transaction } from './environments.js'
import { RUN_COLUMNS, json, rowToArtifact, rowToCache, rowToEvent, rowToLog, rowToRecord, rowToRun, rowToStage, runToRow, stageToRow, type RecordRow, type RunRow } from './rows.js'
import { SCHEMA_VERSION, migrate, quoteIdent } from './schema.js'
import { createBlobs } from './blobs.js'
import { WriteBuffer } from './write-buffer.js'
import { AuditTable, HealthTable, ServerTables } from './server-audit-health.js'

export interface PostgresStoreOptions {
  /** `postgres://user[:password]@host[:port]/database[?schema=name]`. */
  url: string
  /** Schema for the tables (wins over `?schema=`); created if missing. Default `public`. */
  schema?: string
  /** Connections in the pool (default 10). */
  poolSize?: number
  /** Local directory the engine keeps artifact files in (a cache of the blobs); default: a temp dir per engine. */
  artifactDir?: string
}

// BIGINT (epoch ms, sequences) as numbers: every value the store keeps fits in 2^53.
const INT8_OID = 20
const types = { getTypeParser: ((oid: number, format?: string) => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser }

const RUN_SELECT = 'SELECT runs.*, plans.plan AS shared_plan FROM runs JOIN plans ON plans.hash = runs.plan_hash'
const PRUNE_TABLES = ['stages', 'events', 'logs', 'artifacts', 'records', 'approvals'] as const

const SQL = {
  putStage: `INSERT INTO stages (run_id, stage_id, status, attempts, exit_code, started_at, finished_at, duration_ms, outputs, error, cache_key, summary, gates, waiting)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
    ON CONFLICT (run_id, stage_id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, exit_code = excluded.exit_code,
      started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, outputs = excluded.outputs,
      error = excluded.error, cache_key = excluded.cache_key, summary = excluded.summary, gates = excluded.gates, waiting = excluded.waiting`,
  putEvent: `INSERT INTO events (run_id, seq, type, payload, at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (run_id, seq) DO UPDATE SET type = excluded.type, payload = excluded.payload, at = excluded.at`,
  putLog: `INSERT INTO logs (run_id, seq, stage_id, stream, line, at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (run_id, seq) DO UPDATE SET stage_id = excluded.stage_id, stream = excluded.stream, line = excluded.line, at = excluded.at`,
  putCache: `INSERT INTO cache (key, run_id, stage_id, outputs, artifacts, summary, gates, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (key) DO UPDATE SET run_id = excluded.run_id, stage_id = excluded.stage_id, outputs = excluded.outputs, artifacts = excluded.artifacts,
      summary = excluded.summary, gates = excluded.gates, created_at = excluded.created_at`,
  putArtifact: `INSERT INTO artifacts (run_id, stage_id, path, digest, size, created_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (run_id, stage_id, path) DO UPDATE SET digest = excluded.digest, size = excluded.size, created_at = excluded.created_at`,
  putRecord: `INSERT INTO records (pipeline, run_id, stage_id, kind, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (run_id, stage_id, kind) DO UPDATE SET pipeline = excluded.pipeline, data = excluded.data, created_at = excluded.created_at`,
  copyStageRecords: `INSERT INTO records (pipeline, run_id, stage_id, kind, data, created_at)
    SELECT pipeline, $1, $2, kind, data, $3 FROM records WHERE pipeline = $4 AND run_id = $5 AND stage_id = $6 ORDER BY id
    ON CONFLICT (run_id, stage_id, kind) DO UPDATE SET data = excluded.data, created_at = excluded.created_at`,
  putState: 'INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
} as const

/**
 * Opens a store on PostgreSQL: connects, migrates the schema (once, whoever comes first), and
 * returns a store every process on every host can share. Writes of the run's progress (stages,
 * logs, events, cache, artifacts, records, state) are buffered for at most 20 ms and committed in
 * one transaction; reads commit pending writes first, so a store always sees its own writes.
 * Runs, deployments, approvals and environment locks are written at once.
 *
 * @throws PipewrightError `PW_ERR_STORE_URL` for a URL it cannot use, `PW_ERR_STORE_UNREACHABLE`
 * when the server cannot be reached or refuses the login, `PW_ERR_STORE` for a schema written by
 * a newer version (left unchanged). Messages never contain the password.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store & { readonly blobs: BlobStore }> {
  const target = parsePostgresUrl(options.url, { ...(options.schema ? { schema: options.schema } : {}), ...(options.poolSize ? { poolSize: options.poolSize } : {}) })
  const pool = new pg.Pool({ ...target.config, types, options: `-c search_path=${quoteIdent(target.schema)}` })
  // An idle connection that breaks (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => {})
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (cause) {
    await pool.end().catch(() => {})
    throw unreachableError(target, cause)
  }
  try {
    await migrate(client, target.schema, (found) => new PipewrightError('PW_ERR_STORE',
      `Store ${target.display} (schema ${target.schema}) was written by a newer Pipewright (schema version ${found}; this version understands up to ${SCHEMA_VERSION}); it was left unchanged`,
      { details: 'Upgrade @pipewright/store-postgres (and the CLI) to the version that wrote it, or use another schema (?schema=NAME).' }))
  } catch (error) {
    client.release()
    await pool.end().catch(() => {})
    throw isPipewrightError(error) ? error : new PipewrightError('PW_ERR_STORE', `Store ${target.display}: migrating schema ${target.schema} failed: ${(error as Error).message}`, {
      details: 'Check that the user may create tables in this database and schema.', cause: error,
    })
  }
  client.release()
  return new PostgresStore(pool, target, options.artifactDir)
}

class PostgresStore implements Store {
  readonly kind = 'postgres'
  readonly blobs: BlobStore
  private readonly buffer: WriteBuffer
  private readonly environments: EnvironmentTables
  private readonly audit: AuditTable
  private readonly health: HealthTable
  private readonly server: ServerTables
  private readonly knownRuns = new Set<string>()
  private closed = false

  constructor(
    private readonly pool: pg.Pool,
    private readonly target: PostgresTarget,
    readonly artifactDir: string | undefined,
  ) {
    this.buffer = new WriteBuffer(pool)
    this.environments = new EnvironmentTables(pool)
    this.audit = new AuditTable(pool)
    this.health = new HealthTable(pool)
    this.server = new ServerTables(pool)
    this.blobs = createBlobs(pool, (action, work) => this.write(action, work))
  }

  /** Where the store is, without the password (for messages). */
  get location(): string {
    return this.target.display
  }

  createRun(run: RunRecord): Promise<void> {
    return this.write('createRun', async () => {
      const hash = planHash(run.plan)
      const row = runToRow(run, hash)
      const columns = Object.keys(row)
      try {
        await transaction(this.pool, async (client) => {
          await client.query('INSERT INTO plans (hash, plan) VALUES ($1, $2) ON CONFLICT DO NOTHING', [hash, JSON.stringify(run.plan)])
          await client.query(`INSERT INTO runs (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(row))
        })
      } catch (error) {
        if ((error as { code?: unknown }).code !== '23505') throw error
        throw new PipewrightError('PW_ERR_STORE', `Run ${run.id} already exists in ${this.target.display}`, { details: 'Give every run a new id; use updateRun to change an existing run.' })
      }
      this.knownRuns.add(run.id)
    })
  }

  updateRun(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
    return this.write('updateRun', async () => {
      const values: unknown[] = [id]
      const assignments: string[] = []
      let plan: { hash: string; text: string } | undefined
      if (patch.plan !== undefined) {
        plan = { hash: planHash(patch.plan), text: JSON.stringify(patch.plan) }
        assignments.push(`plan_hash = $${values.push(plan.hash)}`)
      }
      for (const [field, value] of Object.entries(patch)) {
        const spec = RUN_COLUMNS[field]
        if (spec === undefined || (value === undefined && !spec.optional)) continue
        assignments.push(`${spec.column} = $${values.push(spec.json ? json(value) : (value ?? null))}`)
      }
      const text = `UPDATE runs SET ${assignments.join(', ')} WHERE id = $1`
      if (!this.knownRuns.has(id) || plan) {
        await this.buffer.flush()
        if (plan) await this.pool.query('INSERT INTO plans (hash, plan) VALUES ($1, $2) ON CONFLICT DO NOTHING', [plan.hash, plan.text])
        const found = await this.pool.query(assignments.length ? `${text} RETURNING id` : 'SELECT id FROM runs WHERE id = $1', assignments.length ? values : [id])
        if (found.rowCount === 0) throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${id} is not in ${this.target.display}`)
        this.knownRuns.add(id)
        return
      }
      if (assignments.length > 0) this.buffer.add(text, values)
    })
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.read('getRun', async () => {
      const { rows } = await this.pool.query<RunRow>(`${RUN_SELECT} WHERE runs.id = $1`, [id])
      return rows[0] && rowToRun(rows[0])
    })
  }

  listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    return this.read('listRuns', async () => {
      const statuses = filter.status === undefined ? undefined : Array.isArray(filter.status) ? filter.status : [filter.status]
      if (statuses?.length === 0) return []
      const values: unknown[] = []
      const param = (value: unknown) => `$${values.push(value)}`
      const where: string[] = []
      if (filter.pipeline !== undefined) where.push(`runs.pipeline = ${param(filter.pipeline)}`)
      if (statuses !== undefined) where.push(`runs.status = ANY(${param(statuses)})`)
      if (filter.branch !== undefined) where.push(`runs.branch = ${param(filter.branch)}`)
      if (filter.before !== undefined) {
        const at = param(filter.before.createdAt)
        where.push(`(runs.created_at < ${at} OR (runs.created_at = ${at} AND runs.id < ${param(filter.before.id)}))`)
      }
      const limit = filter.limit !== undefined ? ` LIMIT ${param(Math.max(0, filter.limit))}` : ''
      const { rows } = await this.pool.query<RunRow>(`${RUN_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY runs.created_at DESC, runs.id DESC${limit}`, values)
      return rows.map(rowToRun)
    })
  }

  pruneRuns(filter: PruneFilter): Promise<{ runs: number }> {
    return this.write('pruneRuns', async () => {
      await this.buffer.flush()
      const ids = await transaction(this.pool, async (client) => {
        const values: unknown[] = [filter.finishedBefore]
        const byPipeline = filter.pipeline === undefined ? '' : ` AND pipeline = $${values.push(filter.pipeline)}`
        const { rows } = await client.query<{ id: string }>(`DELETE FROM runs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at IS NOT NULL AND finished_at < $1${byPipeline} RETURNING id`, values)
        const removed = rows.map((row) => row.id)
        for (const table of PRUNE_TABLES) await client.query(`DELETE FROM ${table} WHERE run_id = ANY($1)`, [removed])
        await client.query('DELETE FROM plans WHERE NOT EXISTS (SELECT 1 FROM runs WHERE runs.plan_hash = plans.hash)')
        return removed
      })
      for (const id of ids) this.knownRuns.delete(id)
      return { runs: ids.length }
    })
  }

  putStage(stage: StageRecord): Promise<void> {
    return this.write('putStage', async () => this.buffer.add(SQL.putStage, Object.values(stageToRow(stage))))
  }

  getStages(runId: string): Promise<StageRecord[]> {
    return this.read('getStages', async () => (await this.pool.query('SELECT * FROM stages WHERE run_id = $1 ORDER BY ord', [runId])).rows.map(rowToStage))
  }

  appendEvents(events: StoredEvent[]): Promise<void> {
    return this.write('appendEvents', async () => {
      for (const e of events) this.buffer.add(SQL.putEvent, [e.runId, e.seq, e.type, json(e.payload), e.at])
    })
  }

  getEvents(runId: string, afterSeq?: number): Promise<StoredEvent[]> {
    return this.read('getEvents', async () => {
      const { rows } = await this.pool.query('SELECT * FROM events WHERE run_id = $1 AND seq > $2 ORDER BY seq', [runId, afterSeq ?? -1])
      return rows.map(rowToEvent)
    })
  }

  appendLogs(lines: LogLine[]): Promise<void> {
    return this.write('appendLogs', async () => {
      for (const l of lines) this.buffer.add(SQL.putLog, [l.runId, l.seq, l.stageId, l.stream, l.line, l.at])
    })
  }

  getLogs(runId: string, options: { stageId?: string; afterSeq?: number; limit?: number } = {}): Promise<LogLine[]> {
    return this.read('getLogs', async () => {
      const values: unknown[] = [runId, options.afterSeq ?? -1]
      const stage = options.stageId !== undefined ? ` AND stage_id = $${values.push(options.stageId)}` : ''
      const limit = options.limit !== undefined ? ` LIMIT $${values.push(Math.max(0, options.limit))}` : ''
      const { rows } = await this.pool.query(`SELECT * FROM logs WHERE run_id = $1 AND seq > $2${stage} ORDER BY seq${limit}`, values)
      return rows.map(rowToLog)
    })
  }

  putCache(entry: CacheEntry): Promise<void> {
    return this.write('putCache', async () => this.buffer.add(SQL.putCache, [entry.key, entry.runId, entry.stageId, JSON.stringify(entry.outputs), JSON.stringify(entry.artifacts), entry.summary ?? null, json(entry.gates), entry.createdAt]))
  }

  getCache(key: string): Promise<CacheEntry | undefined> {
    return this.read('getCache', async () => {
      const { rows } = await this.pool.query('SELECT * FROM cache WHERE key = $1', [key])
      return rows[0] && rowToCache(rows[0])
    })
  }

  addArtifact(a: ArtifactRecord): Promise<void> {
    return this.write('addArtifact', async () => this.buffer.add(SQL.putArtifact, [a.runId, a.stageId, a.path, a.digest, a.size, a.createdAt]))
  }

  listArtifacts(runId: string): Promise<ArtifactRecord[]> {
    return this.read('listArtifacts', async () => (await this.pool.query('SELECT * FROM artifacts WHERE run_id = $1 ORDER BY id', [runId])).rows.map(rowToArtifact))
  }

  saveRecord(pipeline: string, r: Omit<StoredRecord, 'runStatus' | 'branch' | 'sha'>): Promise<void> {
    return this.write('saveRecord', async () => this.buffer.add(SQL.putRecord, [pipeline, r.runId, r.stageId, r.kind, json(r.data), r.createdAt]))
  }

  findRecords(filter: RecordFilter): Promise<StoredRecord[]> {
    return this.read('findRecords', async () => {
      const values: unknown[] = [filter.pipeline, filter.kind]
      const param = (value: unknown) => `$${values.push(value)}`
      const where = ['r.pipeline = $1', 'r.kind = $2']
      if (filter.runId !== undefined) where.push(`r.run_id = ${param(filter.runId)}`)
      if (filter.excludeRunId !== undefined) where.push(`r.run_id <> ${param(filter.excludeRunId)}`)
      if (filter.stageId !== undefined) where.push(`r.stage_id = ${param(filter.stageId)}`)
      if (filter.branch !== undefined) where.push(`runs.branch = ${param(filter.branch)}`)
      if (filter.runStatus !== undefined) where.push(`COALESCE(runs.status, 'unknown') = ${param(filter.runStatus)}`)
      const limit = filter.limit !== undefined ? ` LIMIT ${param(Math.max(0, filter.limit))}` : ''
      const { rows } = await this.pool.query<RecordRow>(`SELECT r.run_id, r.stage_id, r.kind, r.data, r.created_at, runs.status AS run_status, runs.branch, runs.sha
        FROM records r LEFT JOIN runs ON runs.id = r.run_id WHERE ${where.join(' AND ')} ORDER BY r.created_at DESC, r.id DESC${limit}`, values)
      return rows.map(rowToRecord)
    })
  }

  copyStageRecords(pipeline: string, from: { runId: string; stageId: string }, to: { runId: string; stageId: string }, createdAt: number): Promise<number> {
    return this.write('copyStageRecords', async () => {
      await this.buffer.flush()
      const result = await this.pool.query(SQL.copyStageRecords, [to.runId, to.stageId, createdAt, pipeline, from.runId, from.stageId])
      return result.rowCount ?? 0
    })
  }

  getState<T = unknown>(key: string): Promise<T | undefined> {
    return this.read('getState', async () => {
      const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM state WHERE key = $1', [key])
      return rows[0] && (JSON.parse(rows[0].value) as T)
    })
  }

  setState(key: string, value: unknown): Promise<void> {
    return this.write('setState', async () => {
      if (value === undefined) return this.buffer.add('DELETE FROM state WHERE key = $1', [key])
      const text = JSON.stringify(value)
      if (text === undefined) throw new PipewrightError('PW_ERR_STORE', `State value ${key} cannot be stored: it is not JSON`, { details: 'Store plain data (objects, arrays, strings, numbers, booleans, null).' })
      this.buffer.add(SQL.putState, [key, text])
    })
  }

  addDeployment(deployment: DeploymentRecord): Promise<void> {
    return this.write('addDeployment', async () => (await this.buffer.flush(), this.environments.addDeployment(deployment)))
  }

  markDeploymentRolledBack(id: string, rollbackId: string): Promise<void> {
    return this.write('markDeploymentRolledBack', async () => {
      await this.buffer.flush()
      if (!(await this.environments.markRolledBack(id, rollbackId))) throw new PipewrightError('PW_ERR_STORE', `Deployment ${id} is not in ${this.target.display}`)
    })
  }

  getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    return this.read('getDeployment', () => this.environments.getDeployment(id))
  }

  listDeployments(filter: DeploymentFilter = {}): Promise<DeploymentRecord[]> {
    return this.read('listDeployments', () => this.environments.listDeployments(filter))
  }

  acquireEnvironmentLock(environment: string, request: LockRequest): Promise<LockAcquisition> {
    return this.read('acquireEnvironmentLock', () => this.environments.acquireLock(environment, request))
  }

  releaseEnvironmentLock(environment: string, owner: { runId: string; stageId: string; token?: string }): Promise<boolean> {
    return this.read('releaseEnvironmentLock', () => this.environments.releaseLock(environment, owner))
  }

  getEnvironmentLock(environment: string): Promise<EnvironmentLockState> {
    return this.read('getEnvironmentLock', () => this.environments.lock(environment))
  }

  listEnvironmentLocks(): Promise<EnvironmentLockState[]> {
    return this.read('listEnvironmentLocks', () => this.environments.locks())
  }

  addApproval(approval: ApprovalRecord): Promise<void> {
    return this.write('addApproval', async () => (await this.buffer.flush(), this.environments.addApproval(approval)))
  }

  listApprovals(runId: string, stageId?: string): Promise<ApprovalRecord[]> {
    return this.read('listApprovals', () => this.environments.listApprovals(runId, stageId))
  }

  addHealthRecords(records: HealthRecord[]): Promise<void> {
    return this.write('addHealthRecords', () => this.health.add(records))
  }

  listHealthRecords(filter: HealthFilter = {}): Promise<HealthRecord[]> {
    return this.read('listHealthRecords', () => this.health.list(filter))
  }

  appendAudit(entry: AuditEntryInput): Promise<AuditEntry> {
    return this.write('appendAudit', () => this.audit.append(entry))
  }

  listAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.read('listAudit', () => this.audit.list(filter))
  }

  getAuditHead(): Promise<AuditHead | undefined> {
    return this.read('getAuditHead', () => this.audit.head())
  }

  addApiToken(token: ApiTokenRecord): Promise<void> {
    return this.write('addApiToken', () => this.server.addToken(token))
  }

  findApiToken(hash: string): Promise<ApiTokenRecord | undefined> {
    return this.read('findApiToken', () => this.server.findToken(hash))
  }

  listApiTokens(): Promise<ApiTokenRecord[]> {
    return this.read('listApiTokens', () => this.server.listTokens())
  }

  revokeApiToken(name: string, at: number): Promise<boolean> {
    return this.write('revokeApiToken', () => this.server.revokeToken(name, at))
  }

  claimOnce(scope: string, key: string, at: number): Promise<boolean> {
    return this.write('claimOnce', () => this.server.claim(scope, key, at))
  }

  lastClaim(scope: string, prefix: string): Promise<{ key: string; at: number } | undefined> {
    return this.read('lastClaim', () => this.server.lastClaim(scope, prefix))
  }

  acquireLease(scope: string, key: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    return this.write('acquireLease', () => this.server.acquireLease(scope, key, holder, now, ttlMs))
  }

  releaseLease(scope: string, key: string, holder: string): Promise<boolean> {
    return this.write('releaseLease', () => this.server.releaseLease(scope, key, holder))
  }

  listLeases(scope: string, now: number): Promise<LeaseRecord[]> {
    return this.read('listLeases', () => this.server.listLeases(scope, now))
  }

  addServerAction(action: ServerActionRecord): Promise<void> {
    return this.write('addServerAction', () => this.server.addAction(action))
  }

  listServerActions(limit = 100): Promise<ServerActionRecord[]> {
    return this.read('listServerActions', () => this.server.listActions(limit))
  }

  flush(): Promise<void> {
    return this.write('flush', () => this.flushAndReport())
  }

  async close(): Promise<void> {
    if (this.closed) return
    try {
      await this.write('close', () => this.flushAndReport())
    } finally {
      this.closed = true
      this.buffer.dispose()
      await this.pool.end().catch(() => {})
    }
  }

  private async flushAndReport(): Promise<void> {
    await this.buffer.flush()
    const rejected = this.buffer.takeRejected()
    if (rejected.length > 0) {
      throw new PipewrightError('PW_ERR_STORE', `Store ${this.target.display}: ${rejected.length} buffered write(s) were refused and dropped: ${rejected[0]!.message}`, {
        details: 'The values did not fit the store (wrong type or missing field); this is a bug in the caller. Other writes were kept.',
        cause: rejected[0],
      })
    }
  }

  /** Runs a store operation, turning driver errors into PW_ERR_STORE (never with the password). */
  private async write<T>(action: string, operation: () => Promise<T>): Promise<T> {
    if (this.closed) {
      throw new PipewrightError('PW_ERR_STORE', `Store ${this.target.display} is closed`, { details: 'Open a new store with createPostgresStore(); a closed store cannot be used again.' })
    }
    try {
      return await operation()
    } catch (error) {
      if (isPipewrightError(error)) throw error
      const code = (error as { code?: unknown }).code
      if (typeof code === 'string' && /^(ECONN|ETIMEDOUT|ENOTFOUND|57P|08)/.test(code)) throw unreachableError(this.target, error)
      throw new PipewrightError('PW_ERR_STORE', `Store ${this.target.display}: ${action} failed: ${(error as Error).message}`, {
        details: 'Check that PostgreSQL is up and the user may write the schema; the write can be retried.', cause: error,
      })
    }
  }

  /** Reads see this process's buffered writes: they are committed first. */
  private read<T>(action: string, query: () => Promise<T>): Promise<T> {
    return this.write(action, async () => {
      await this.buffer.flush()
      return query()
    })
  }
}

/** Each distinct plan is kept once, under the SHA-256 of its JSON. */
function planHash(plan: RunRecord['plan']): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex')
}
