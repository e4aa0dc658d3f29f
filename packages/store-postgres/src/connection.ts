import { PipewrightError } from '@pipewright/plugin-api'
import type { PoolConfig } from 'pg'

/** Where a PostgreSQL store lives, parsed from `postgres://user[:password]@host[:port]/database[?schema=name]`. */
export interface PostgresTarget {
  /** The pool's connection settings (password included: never print these). */
  config: PoolConfig
  /** Schema the store's tables live in (default `public`). */
  schema: string
  /** The URL with the password replaced by `***`: safe for messages and logs. */
  display: string
}

const URL_FIX = 'Use --store postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (optionally ?schema=NAME), or set PIPEWRIGHT_STORE to such a URL; leave both unset for the local SQLite store.'
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** True when a `--store` / PIPEWRIGHT_STORE value names PostgreSQL (rather than a SQLite directory). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:/i.test(value.trim())
}

/** A URL with any password masked, also for strings that do not parse. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    for (const key of [...parsed.searchParams.keys()]) if (/pass|secret|token/i.test(key)) parsed.searchParams.set(key, '***')
    return parsed.toString()
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@').replace(/(pass\w*|secret|token)=[^&]*/gi, '$1=***')
  }
}

function badUrl(url: string, why: string): PipewrightError {
  return new PipewrightError('PW_ERR_STORE_URL', `The store URL ${redactUrl(url)} ${why}`, { details: URL_FIX })
}

/**
 * Parses a store URL into pool settings. Only what this store understands is accepted (host, port,
 * user, password, database, `schema`, `sslmode`), so a typo fails here instead of being ignored.
 * @throws PipewrightError `PW_ERR_STORE_URL` naming the problem; the password is never shown.
 */
export function parsePostgresUrl(url: string, options: { schema?: string; poolSize?: number } = {}): PostgresTarget {
  let parsed: URL
  try {
    parsed = new URL(url.trim())
  } catch {
    throw badUrl(url, 'is not a valid URL')
  }
  if (!/^postgres(ql)?:$/i.test(parsed.protocol)) throw badUrl(url, `has scheme ${parsed.protocol.replace(/:$/, '')}, not postgres`)
  if (!parsed.hostname) throw badUrl(url, 'names no host')
  const port = parsed.port === '' ? 5432 : Number(parsed.port)
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  if (!database || database.includes('/')) throw badUrl(url, 'names no database (the path after the host, e.g. /pipewright)')
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? 'public'
  if (!SCHEMA_NAME.test(schema)) throw badUrl(url, `has schema "${schema}", which is not a plain name (letters, digits, _)`)
  for (const key of parsed.searchParams.keys()) {
    if (key !== 'schema' && key !== 'sslmode') throw badUrl(url, `has an unknown parameter "${key}" (known: schema, sslmode)`)
  }
  const sslmode = parsed.searchParams.get('sslmode')
  const config: PoolConfig = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: decodeURIComponent(parsed.username) || 'postgres',
    database,
    max: options.poolSize ?? 10,
    // Also how long a query waits for a free pooled connection: a burst (100 webhook runs) must queue, not fail.
    connectionTimeoutMillis: 30_000,
    idleTimeoutMillis: 10_000,
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(sslmode && sslmode !== 'disable' ? { ssl: sslmode === 'require' ? { rejectUnauthorized: false } : true } : {}),
  }
  return { config, schema, display: redactUrl(url) }
}

/** A failure to connect, with what to do about it. The pg error's text never holds the password. */
export function unreachableError(target: PostgresTarget, cause: unknown): PipewrightError {
  const code = (cause as { code?: unknown }).code
  const reason = cause instanceof Error ? cause.message || String(code ?? 'unknown error') : String(cause)
  const { host, port, database, user } = target.config
  let fix = `Start PostgreSQL on ${host}:${port} (here: bash tools/services/postgres.sh), or fix the host and port in --store / PIPEWRIGHT_STORE.`
  if (code === '3D000') fix = `Create the database first (createdb -h ${host} -p ${port} -U ${user} ${database}), or name an existing one in the URL.`
  else if (code === '28P01' || code === '28000') fix = `Check the user and password in the URL (user ${user}); the server refused them.`
  return new PipewrightError('PW_ERR_STORE_UNREACHABLE', `Cannot open the PostgreSQL store ${target.display}: ${reason}`, { details: fix, cause })
}
