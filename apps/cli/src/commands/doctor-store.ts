import type { Store } from '@pipewright/core'
import { createSqliteStore, DATABASE_FILE } from '@pipewright/store-sqlite'
import { constants, existsSync } from 'node:fs'
import { access, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { CheckResult } from './doctor-checks.js'

const FIX = 'Point --home or PIPEWRIGHT_HOME at a writable directory.'

/** Writes a value and reads it back: the SQLite module loads, and the database takes writes. */
async function roundTrip(store: Store): Promise<boolean> {
  const stamp = Date.now()
  await store.setState('doctor:last-check', stamp)
  const read = await store.getState<number>('doctor:last-check')
  await store.flush()
  return read === stamp
}

/** The closest directory at or above `path` that exists, or why there is none to create it in. */
async function nearestDirectory(path: string): Promise<{ dir?: string; problem?: string }> {
  let current = path
  while (!existsSync(current)) {
    const parent = dirname(current)
    if (parent === current) return { problem: `no part of ${path} exists` }
    current = parent
  }
  if (!(await stat(current)).isDirectory()) return { problem: `${current} is not a directory` }
  return { dir: current }
}

/**
 * The store at `home`, checked without leaving anything behind: an existing database takes a
 * write and reads it back; where there is none yet, the SQLite store is tried in a temp directory
 * and `home` only has to be creatable (its nearest existing directory writable).
 */
export async function checkStore(home: string): Promise<CheckResult> {
  const fail = (detail: string): CheckResult => ({ name: 'store', status: 'fail', detail: `store not writable: ${detail}`, fix: FIX })
  try {
    if (existsSync(join(home, DATABASE_FILE))) {
      const store = await createSqliteStore({ dir: home })
      try {
        return (await roundTrip(store)) ? { name: 'store', status: 'ok', detail: `writable at ${home}` } : fail(`store at ${home} did not read back what was written`)
      } finally {
        await store.close().catch(() => undefined)
      }
    }
    const { dir, problem } = await nearestDirectory(home)
    if (!dir) return fail(problem!)
    await access(dir, constants.W_OK)
    const scratch = await mkdtemp(join(tmpdir(), 'pw-doctor-'))
    try {
      const store = await createSqliteStore({ dir: scratch })
      try {
        if (!(await roundTrip(store))) return fail('a scratch SQLite store did not read back what was written')
      } finally {
        await store.close().catch(() => undefined)
      }
    } finally {
      await rm(scratch, { recursive: true, force: true })
    }
    return { name: 'store', status: 'ok', detail: `${home} does not exist yet; the first run creates it (${dir} is writable)` }
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error))
  }
}
