import type Database from 'better-sqlite3'

/**
 * Migrations by target version: `MIGRATIONS[n]` takes a database from `user_version` n to n + 1.
 * Append only; a released migration never changes, or databases written by it would diverge.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    file TEXT,
    dir TEXT NOT NULL,
    status TEXT NOT NULL,
    plan TEXT NOT NULL,
    options TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    branch TEXT,
    sha TEXT,
    trigger TEXT,
    resumes INTEGER
  );
  CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
  CREATE INDEX runs_by_pipeline ON runs (pipeline, created_at DESC, id DESC);

  -- rowid order is the order stages first appeared in; upserts keep it
  CREATE TABLE stages (
    run_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    exit_code INTEGER,
    started_at INTEGER,
    finished_at INTEGER,
    duration_ms INTEGER,
    outputs TEXT NOT NULL,
    error TEXT,
    cache_key TEXT,
    summary TEXT,
    gates TEXT,
    UNIQUE (run_id, stage_id)
  );

  CREATE TABLE events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    payload TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE logs (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    stage_id TEXT NOT NULL,
    stream TEXT NOT NULL,
    line TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  CREATE INDEX logs_by_stage ON logs (run_id, stage_id, seq);

  CREATE TABLE cache (
    key TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    outputs TEXT NOT NULL,
    artifacts TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    path TEXT NOT NULL,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (run_id, stage_id, path)
  );

  CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    pipeline TEXT NOT NULL,
    run_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (run_id, stage_id, kind)
  );
  CREATE INDEX records_by_kind ON records (pipeline, kind, created_at DESC, id DESC);

  CREATE TABLE state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 1 → 2: each distinct plan once (runs point at it by hash; older rows keep theirs inline),
  // who triggered a run, and durable waiting.
  `
  CREATE TABLE plans (
    hash TEXT PRIMARY KEY,
    plan TEXT NOT NULL
  );
  ALTER TABLE runs ADD COLUMN plan_hash TEXT;
  ALTER TABLE runs ADD COLUMN triggered_by TEXT;
  ALTER TABLE runs ADD COLUMN waiting TEXT;
  ALTER TABLE stages ADD COLUMN waiting TEXT;
  ALTER TABLE cache ADD COLUMN summary TEXT;
  ALTER TABLE cache ADD COLUMN gates TEXT;
  CREATE INDEX runs_by_status ON runs (status);
  CREATE INDEX runs_by_finished ON runs (finished_at);
  CREATE INDEX records_by_run ON records (run_id);
  `,
  // 2 → 3: deployments (the environments' audit trail, kept when runs are pruned), environment
  // locks with their FIFO queues (seq never reused: AUTOINCREMENT), and approvals.
  `
  CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    environment TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    run_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    outcome TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    record TEXT NOT NULL
  );
  CREATE INDEX deployments_by_environment ON deployments (environment, finished_at DESC, id DESC);
  CREATE INDEX deployments_by_finished ON deployments (finished_at DESC, id DESC);

  CREATE TABLE environment_locks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    environment TEXT NOT NULL,
    run_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    token TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    at INTEGER NOT NULL,
    enqueued_at INTEGER NOT NULL,
    acquired_at INTEGER,
    UNIQUE (environment, run_id, stage_id)
  );

  CREATE TABLE approvals (
    run_id TEXT NOT NULL,
    stage_id TEXT NOT NULL,
    approver_key TEXT NOT NULL,
    environment TEXT NOT NULL,
    decision TEXT NOT NULL,
    by TEXT NOT NULL,
    comment TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (run_id, stage_id, approver_key)
  );
  `,
  // Environments' health history: monitor samples and verdicts (verify, analysis, watch).
  `
  CREATE TABLE health_records (
    environment TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    run_id TEXT,
    record TEXT NOT NULL
  );
  CREATE INDEX health_records_by_environment ON health_records (environment, at);
  CREATE INDEX health_records_by_run ON health_records (run_id);
  `,
  // 4 → 5: the audit trail, append-only and hash-chained (its head is kept in `state`).
  `
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    source TEXT NOT NULL,
    subject TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_by_at ON audit (at);
  `,
  // 5 → 6: the server's tables
  `
  -- the server: API tokens (only their SHA-256), one-time claims (webhook
  -- deliveries, schedule slots) and the mutating requests it served, with their actor
  CREATE TABLE api_tokens (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;

  CREATE TABLE claims (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  );

  CREATE TABLE server_actions (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    status INTEGER NOT NULL
  );
  `,
  // 6 → 7: renewable leases (one server or agent hosts an environment's monitors)
  `
  CREATE TABLE leases (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    holder TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  );
  `,
]

/** The schema version this code writes; a database with a higher `user_version` is refused. */
export const SCHEMA_VERSION = MIGRATIONS.length

export function readSchemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Brings the database to `SCHEMA_VERSION`. Runs in one IMMEDIATE transaction, so two processes
 * opening a fresh database at once migrate it once; the version is re-read under the lock.
 * Returns the version found before migrating.
 */
export function migrate(db: Database.Database): number {
  return db.transaction(() => {
    const found = readSchemaVersion(db)
    for (let version = found; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version]!)
    if (found < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`)
    return found
  }).immediate()
}
