import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSqliteStore } from '../src/index.js'
import { tempDir } from './helpers.js'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => ({ dir, cleanup } = await tempDir()))
afterEach(() => cleanup())

/** Counts log rows through a second, independent connection: what other processes see. */
function committedLogs(): number {
  const db = new Database(join(dir, 'pipewright.db'), { readonly: true })
  try {
    return db.prepare('SELECT count(*) FROM logs').pluck().get() as number
  } finally {
    db.close()
  }
}

describe('write buffering', () => {
  it('commits buffered writes by itself shortly after, without flush()', async () => {
    const store = createSqliteStore({ dir })
    try {
      await store.appendLogs([{ runId: 'r', stageId: 's', seq: 0, stream: 'stdout', line: 'a', at: 1 }])
      await vi.waitFor(() => expect(committedLogs()).toBe(1), { timeout: 5_000, interval: 10 })
    } finally {
      await store.close()
    }
  })

  it('makes writes visible to other connections on flush()', async () => {
    const store = createSqliteStore({ dir })
    try {
      await store.appendLogs(Array.from({ length: 50 }, (_, seq) => ({ runId: 'r', stageId: 's', seq, stream: 'stdout' as const, line: `l${seq}`, at: 1 })))
      await store.flush()
      expect(committedLogs()).toBe(50)
    } finally {
      await store.close()
    }
  })

  it('drops only a write SQLite refuses, keeps the rest, and reports it on flush()', async () => {
    const store = createSqliteStore({ dir })
    try {
      await store.appendLogs([{ runId: 'r', stageId: 's', seq: 0, stream: 'stdout', line: 'kept', at: 1 }])
      // Deliberately wrong at runtime (a missing line): SQLite's NOT NULL refuses this one row.
      await store.appendLogs([{ runId: 'r', stageId: 's', seq: 1, stream: 'stdout', at: 1 } as never])
      await store.appendLogs([{ runId: 'r', stageId: 's', seq: 2, stream: 'stdout', line: 'also kept', at: 1 }])
      await expect(store.flush()).rejects.toMatchObject({ code: 'PW_ERR_STORE', message: expect.stringMatching(/1 buffered write/) })
      expect((await store.getLogs('r')).map((line) => line.line)).toEqual(['kept', 'also kept'])
      await store.flush()
    } finally {
      await store.close()
    }
  })

  it('commits pending writes on close()', async () => {
    const store = createSqliteStore({ dir })
    await store.appendLogs([{ runId: 'r', stageId: 's', seq: 0, stream: 'stdout', line: 'a', at: 1 }])
    await store.close()
    expect(committedLogs()).toBe(1)
  })
})
