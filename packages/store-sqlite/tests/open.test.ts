import { readFile, stat, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION, createSqliteStore } from '../src/index.js'
import { tempDir } from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => ({ dir, cleanup } = await tempDir()))
afterEach(() => cleanup())

function sampleRun(id: string) {
  return { id, pipeline: 'web', dir, status: 'running' as const, plan: { pipeline: 'web', stages: [] }, options: {}, createdAt: 1, pid: 1, host: 'h', heartbeatAt: 1 }
}

describe('createSqliteStore: opening', () => {
  it('creates the directory, the database and the artifact directory, in WAL mode at the current schema', async () => {
    const home = join(dir, 'a', 'b')
    const store = createSqliteStore({ dir: home })
    expect(store.kind).toBe('sqlite')
    expect(store.artifactDir).toBe(join(home, 'artifacts'))
    expect((await stat(join(home, 'artifacts'))).isDirectory()).toBe(true)
    await store.close()
    const db = new Database(join(home, 'pipewright.db'), { readonly: true })
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()
      expect(tables).toEqual(['api_tokens', 'approvals', 'artifacts', 'audit', 'cache', 'claims', 'deployments', 'environment_locks', 'events', 'health_records', 'leases', 'logs', 'plans', 'records', 'runs', 'server_actions', 'sqlite_sequence', 'stages', 'state'])
    } finally {
      db.close()
    }
  })

  it('keeps data across close and reopen, and migrates only once', async () => {
    const first = createSqliteStore({ dir })
    await first.createRun(sampleRun('r1'))
    await first.appendLogs([{ runId: 'r1', stageId: 's', seq: 0, stream: 'stdout', line: 'hello', at: 1 }])
    await first.close()
    const second = createSqliteStore({ dir })
    try {
      expect((await second.getRun('r1'))?.id).toBe('r1')
      expect((await second.getLogs('r1')).map((line) => line.line)).toEqual(['hello'])
    } finally {
      await second.close()
    }
  })

  it('refuses a home that is a file, naming the path', async () => {
    const home = join(dir, 'not-a-dir')
    await writeFile(home, 'x')
    const error = captureError(() => createSqliteStore({ dir: home }))
    expect(error).toMatchObject({ code: 'PW_ERR_STORE', details: expect.stringMatching(/--home/) })
    expect(error.message).toContain(home)
  })

  it('refuses a home below a file, naming the path', async () => {
    const home = join(dir, 'file', 'home')
    await writeFile(join(dir, 'file'), 'x')
    const error = captureError(() => createSqliteStore({ dir: home }))
    expect(error).toMatchObject({ code: 'PW_ERR_STORE' })
    expect(error.message).toContain(home)
  })

  it('refuses a pipewright.db that is a directory', async () => {
    await mkdir(join(dir, 'pipewright.db'))
    const error = captureError(() => createSqliteStore({ dir }))
    expect(error).toMatchObject({ code: 'PW_ERR_STORE' })
    expect(error.message).toContain(join(dir, 'pipewright.db'))
  })

  it('refuses a file that is not a SQLite database and leaves it unchanged', async () => {
    const path = join(dir, 'pipewright.db')
    const content = 'these are my notes, not a database\n'.repeat(200)
    await writeFile(path, content)
    const error = captureError(() => createSqliteStore({ dir }))
    expect(error).toMatchObject({ code: 'PW_ERR_STORE', details: expect.stringMatching(/Move the file away/) })
    expect(error.message).toContain(path)
    expect(error.message).toMatch(/not a SQLite database/)
    expect(await readFile(path, 'utf8')).toBe(content)
  })

  it('refuses a database written by a newer schema and leaves it unchanged', async () => {
    const path = join(dir, 'pipewright.db')
    const future = new Database(path)
    future.exec('CREATE TABLE from_the_future (x)')
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    future.close()
    const before = await readFile(path)
    const error = captureError(() => createSqliteStore({ dir }))
    expect(error).toMatchObject({ code: 'PW_ERR_STORE', details: expect.stringMatching(/Upgrade/) })
    expect(error.message).toContain(path)
    expect(error.message).toMatch(new RegExp(`schema version ${SCHEMA_VERSION + 1}`))
    expect((await readFile(path)).equals(before)).toBe(true)
  })
})

function captureError(open: () => unknown): Error & { code?: string; details?: string } {
  try {
    open()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected createSqliteStore to throw')
}
