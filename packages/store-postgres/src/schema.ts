import type { PoolClient } from 'pg'

/**
 * Migrations by target version: `MIGRATIONS[n]` takes a schema from version n to n + 1 (recorded
 * in `pipewright_migrations`). Append only; a released migration never changes. Timestamps are
 * epoch milliseconds (BIGINT); JSON is kept as TEXT so values read back exactly as written.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE plans (hash TEXT PRIMARY KEY, plan TEXT NOT NULL);
  CREATE TABLE runs (
    id TEXT COLLATE "C" PRIMARY KEY, pipeline TEXT NOT NULL, file TEXT, dir TEXT NOT NULL, status TEXT NOT NULL,
    plan_hash TEXT NOT NULL REFERENCES plans (hash), options TEXT NOT NULL,
    created_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT,
    pid INTEGER NOT NULL, host TEXT NOT NULL, heartbeat_at BIGINT NOT NULL,
    branch TEXT, sha TEXT, trigger TEXT, triggered_by TEXT, resumes INTEGER, waiting TEXT
  );
  CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
  CREATE INDEX runs_by_pipeline ON runs (pipeline, created_at DESC, id DESC);
  CREATE INDEX runs_by_status ON runs (status);
  CREATE INDEX runs_by_finished ON runs (finished_at);

  -- ord is the order stages first appeared in; upserts keep it
  CREATE TABLE stages (
    ord BIGSERIAL, run_id TEXT NOT NULL, stage_id TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
    exit_code INTEGER, started_at BIGINT, finished_at BIGINT, duration_ms BIGINT, outputs TEXT NOT NULL,
    error TEXT, cache_key TEXT, summary TEXT, gates TEXT, waiting TEXT,
    PRIMARY KEY (run_id, stage_id)
  );
  CREATE TABLE events (run_id TEXT NOT NULL, seq BIGINT NOT NULL, type TEXT NOT NULL, payload TEXT, at BIGINT NOT NULL, PRIMARY KEY (run_id, seq));
  CREATE TABLE logs (run_id TEXT NOT NULL, seq BIGINT NOT NULL, stage_id TEXT NOT NULL, stream TEXT NOT NULL, line TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (run_id, seq));
  CREATE INDEX logs_by_stage ON logs (run_id, stage_id, seq);
  CREATE TABLE cache (
    key TEXT PRIMARY KEY, run_id TEXT NOT NULL, stage_id TEXT NOT NULL, outputs TEXT NOT NULL, artifacts TEXT NOT NULL,
    summary TEXT, gates TEXT, created_at BIGINT NOT NULL
  );
  CREATE TABLE artifacts (
    id BIGSERIAL PRIMARY KEY, run_id TEXT NOT NULL, stage_id TEXT NOT NULL, path TEXT NOT NULL, digest TEXT NOT NULL,
    size BIGINT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (run_id, stage_id, path)
  );
  CREATE TABLE records (
    id BIGSERIAL PRIMARY KEY, pipeline TEXT NOT NULL, run_id TEXT NOT NULL, stage_id TEXT NOT NULL, kind TEXT NOT NULL,
    data TEXT, created_at BIGINT NOT NULL, UNIQUE (run_id, stage_id, kind)
  );
  CREATE INDEX records_by_kind ON records (pipeline, kind, created_at DESC, id DESC);
  CREATE INDEX records_by_run ON records (run_id);
  CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE deployments (
    id TEXT COLLATE "C" PRIMARY KEY, environment TEXT NOT NULL, pipeline TEXT NOT NULL, run_id TEXT NOT NULL, stage_id TEXT NOT NULL,
    kind TEXT NOT NULL, version TEXT NOT NULL, outcome TEXT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL, record TEXT NOT NULL
  );
  CREATE INDEX deployments_by_environment ON deployments (environment, finished_at DESC, id DESC);
  CREATE INDEX deployments_by_finished ON deployments (finished_at DESC, id DESC);

  -- One row per environment ever locked: acquisitions lock it (SELECT … FOR UPDATE) so the
  -- read-decide-write of an acquisition is serialized across hosts.
  CREATE TABLE environments (name TEXT PRIMARY KEY);
  CREATE TABLE environment_locks (
    seq BIGSERIAL PRIMARY KEY, environment TEXT COLLATE "C" NOT NULL, run_id TEXT NOT NULL, stage_id TEXT NOT NULL, pipeline TEXT NOT NULL,
    token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, at BIGINT NOT NULL, enqueued_at BIGINT NOT NULL, acquired_at BIGINT,
    UNIQUE (environment, run_id, stage_id)
  );
  CREATE TABLE approvals (
    ord BIGSERIAL, run_id TEXT NOT NULL, stage_id TEXT NOT NULL, approver_key TEXT NOT NULL, environment TEXT NOT NULL,
    decision TEXT NOT NULL, by TEXT NOT NULL, comment TEXT, at BIGINT NOT NULL, PRIMARY KEY (run_id, stage_id, approver_key)
  );

  -- Content-addressed files (artifacts, cache entries' files) every host can read.
  CREATE TABLE blobs (digest TEXT PRIMARY KEY, size BIGINT NOT NULL, content BYTEA NOT NULL, created_at BIGINT NOT NULL);
  `,
  // 1 → 2: environments' health history, the audit trail (append-only, hash-chained; its head is in
  // `state`) and the server's tables (API token hashes, one-time claims, recorded actions).
  `
  CREATE TABLE health_records (
    id BIGSERIAL PRIMARY KEY, environment TEXT COLLATE "C" NOT NULL, at BIGINT NOT NULL, kind TEXT NOT NULL, run_id TEXT, record TEXT NOT NULL
  );
  CREATE INDEX health_records_by_environment ON health_records (environment, at);
  CREATE INDEX health_records_by_run ON health_records (run_id);

  CREATE TABLE audit (
    seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL, source TEXT NOT NULL,
    subject TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
  );
  CREATE INDEX audit_by_at ON audit (at);

  CREATE TABLE api_tokens (
    ord BIGSERIAL, hash TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT
  );
  CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;
  CREATE TABLE claims (ord BIGSERIAL, scope TEXT NOT NULL, key TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (scope, key));
  CREATE TABLE server_actions (
    id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, target TEXT, status INTEGER NOT NULL
  );
  `,
  // 2 → 3: renewable leases (one server or agent hosts an environment's monitors).
  `
  CREATE TABLE leases (
    scope TEXT NOT NULL, key TEXT COLLATE "C" NOT NULL, holder TEXT NOT NULL, acquired_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (scope, key)
  );
  `,
]

export const SCHEMA_VERSION = MIGRATIONS.length

/** Serializes migrations of one schema across processes (transaction-scoped advisory lock). */
const MIGRATION_LOCK = 'pipewright.migrate'

/**
 * Brings the schema to `SCHEMA_VERSION` in one transaction, under an advisory lock keyed by the
 * schema name, so two processes opening a fresh database at once migrate it once. Returns the
 * version found before migrating; a schema newer than this code is refused (unchanged).
 */
export async function migrate(client: PoolClient, schema: string, refuseNewer: (found: number) => Error): Promise<number> {
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${MIGRATION_LOCK}:${schema}`])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.pipewright_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`)
    const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${quoteIdent(schema)}.pipewright_migrations`)
    const found = rows[0]?.v ?? 0
    if (found > SCHEMA_VERSION) throw refuseNewer(found)
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`)
    for (let version = found; version < SCHEMA_VERSION; version++) {
      await client.query(MIGRATIONS[version]!)
      await client.query('INSERT INTO pipewright_migrations (version) VALUES ($1)', [version + 1])
    }
    await client.query('COMMIT')
    return found
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  }
}

/** A schema name as SQL: validated (letters, digits, `_`) and quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}
