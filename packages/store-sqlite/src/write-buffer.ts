import type Database from 'better-sqlite3'

interface PendingWrite {
  statement: Database.Statement
  params: unknown
}

/** Longest a write waits in memory before it is committed. */
export const FLUSH_INTERVAL_MS = 20
/** A buffer this long is committed at once, bounding memory and the size of one transaction. */
const MAX_PENDING = 5_000

// One process-wide exit hook (not one per store, which would trip the listener-leak warning):
// better-sqlite3 is synchronous, so buffered writes can still be committed while exiting.
const openBuffers = new Set<WriteBuffer>()
let exitHookInstalled = false

function flushAllOnExit(): void {
  for (const buffer of openBuffers) {
    try {
      buffer.flush()
    } catch {
      // Exiting: nobody is left to report to, and one store's failure must not stop the others.
    }
  }
}

function isRowError(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return true
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code)
}

/**
 * Collects writes and commits them together in one IMMEDIATE transaction, at most
 * `FLUSH_INTERVAL_MS` after the first one, on `flush()`, and when the process exits normally.
 * One transaction per batch instead of one per row is what makes per-stage overhead small.
 */
export class WriteBuffer {
  private pending: PendingWrite[] = []
  private timer: NodeJS.Timeout | undefined
  private rejected: Error[] = []
  private readonly commit: Database.Transaction<(writes: PendingWrite[]) => void>

  constructor(db: Database.Database) {
    this.commit = db.transaction((writes: PendingWrite[]) => {
      for (const write of writes) {
        try {
          write.statement.run(write.params)
        } catch (error) {
          // A row SQLite refuses (bad value, constraint) is dropped alone; SQLite rolls back only
          // that statement. Anything else (lock, disk) aborts the batch so it can be retried.
          if (!isRowError(error)) throw error
          this.rejected.push(error as Error)
        }
      }
    })
    openBuffers.add(this)
    if (!exitHookInstalled) {
      process.on('exit', flushAllOnExit)
      exitHookInstalled = true
    }
  }

  get size(): number {
    return this.pending.length
  }

  add(statement: Database.Statement, params: unknown): void {
    this.pending.push({ statement, params })
    if (this.pending.length >= MAX_PENDING) this.flush()
    else this.timer ??= setTimeout(this.flushFromTimer, FLUSH_INTERVAL_MS).unref()
  }

  /**
   * Commits everything pending. On failure the writes stay pending (a lock held too long is
   * worth retrying) and the error is thrown to the caller.
   */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    if (this.pending.length === 0) return
    const rejectedBefore = this.rejected.length
    try {
      this.commit.immediate(this.pending)
    } catch (error) {
      // Rolled back: rows refused in this attempt will be refused (and counted) again on retry.
      this.rejected.length = rejectedBefore
      throw error
    }
    this.pending = []
  }

  /** Errors of writes dropped since the last call (reported by the store's `flush()`). */
  takeRejected(): Error[] {
    const rejected = this.rejected
    this.rejected = []
    return rejected
  }

  /** Stops the timer and the exit hook; call after the final flush. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    openBuffers.delete(this)
  }

  private readonly flushFromTimer = (): void => {
    this.timer = undefined
    try {
      this.flush()
    } catch {
      // Kept pending: retried by the next write's timer, and an explicit flush()/read reports it.
      if (this.pending.length > 0) this.timer = setTimeout(this.flushFromTimer, FLUSH_INTERVAL_MS * 5).unref()
    }
  }
}
