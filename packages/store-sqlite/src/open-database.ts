import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { unusableDatabaseError, unwritableHomeError } from './errors.js'
import { databasePath } from './home.js'
import { SCHEMA_VERSION, migrate, readSchemaVersion } from './schema.js'

/** How long a writer waits for another process's lock before giving up. */
const BUSY_TIMEOUT_MS = 10_000

export interface OpenedDatabase {
  db: Database.Database
  path: string
  artifactDir: string
}

/**
 * Opens (creating if needed) `<dir>/pipewright.db` and `<dir>/artifacts`, refusing anything it
 * cannot use safely *before* writing to it: a foreign file or a newer schema stays untouched.
 */
export function openDatabase(dir: string): OpenedDatabase {
  const path = databasePath(dir)
  const artifactDir = join(dir, 'artifacts')
  try {
    mkdirSync(artifactDir, { recursive: true })
    accessSync(dir, constants.W_OK)
  } catch (cause) {
    throw unwritableHomeError(dir, cause)
  }
  if (statSync(path, { throwIfNoEntry: false })?.isFile() === false) {
    throw unusableDatabaseError(path, 'is not a file', 'Remove or rename what is at this path, or point --home (or PIPEWRIGHT_HOME) at another directory.')
  }

  let db: Database.Database
  try {
    db = new (loadDriver())(path, { timeout: BUSY_TIMEOUT_MS })
  } catch (cause) {
    throw unwritableHomeError(dir, cause)
  }
  try {
    checkVersion(db, path)
    const mode = db.pragma('journal_mode = WAL', { simple: true })
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, not wal`)
    db.pragma('synchronous = NORMAL')
    migrate(db)
    return { db, path, artifactDir }
  } catch (error) {
    db.close()
    throw error
  }
}

/**
 * The native driver, loaded the first time a database is opened: commands that never open one
 * (help, validate) do not pay for it.
 */
function loadDriver(): typeof Database {
  return createRequire(import.meta.url)('better-sqlite3') as typeof Database
}

function checkVersion(db: Database.Database, path: string): void {
  let version: number
  try {
    // The first read of the header: a file that is not SQLite fails here, before any write.
    version = readSchemaVersion(db)
  } catch (cause) {
    const code = (cause as { code?: unknown }).code
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw unusableDatabaseError(path, 'is not a SQLite database (or is damaged); it was left unchanged',
        'Move the file away so Pipewright can create a new database, or point --home (or PIPEWRIGHT_HOME) at another directory.', cause)
    }
    throw unusableDatabaseError(path, `cannot be read: ${(cause as Error).message}`, 'Check the file permissions and that the disk is readable.', cause)
  }
  if (version > SCHEMA_VERSION) {
    throw unusableDatabaseError(path, `was written by a newer Pipewright (schema version ${version}; this version understands up to ${SCHEMA_VERSION}); it was left unchanged`,
      'Upgrade @pipewright/store-sqlite (and the CLI) to the version that wrote it, or point --home at another directory.')
  }
}
