import type { Pool } from 'pg'

/** One statement waiting to be committed. */
export interface PendingWrite {
  text: string
  values: unknown[]
}

/** Longest a write waits in memory before it is committed. */
export const FLUSH_INTERVAL_MS = 20
/** A buffer this long is committed at once, bounding memory and the size of one transaction. */
const MAX_PENDING = 2_000

/** SQLSTATE classes of errors a row causes by itself (bad data, constraint): retrying the batch without it helps. */
const isRowError = (error: unknown) => /^(22|23)/.test(String((error as { code?: unknown }).code ?? ''))

/**
 * Collects writes (log lines, events, stage states) and commits them together in one
 * transaction at most `FLUSH_INTERVAL_MS` after the first — one round trip per batch instead of
 * one per row. Flushes run one after another, so writes are committed in the order they were made.
 */
export class WriteBuffer {
  private pending: PendingWrite[] = []
  private timer: NodeJS.Timeout | undefined
  private chain: Promise<void> = Promise.resolve()
  private rejected: Error[] = []

  constructor(private readonly pool: Pool) {}

  add(text: string, values: unknown[]): void {
    this.pending.push({ text, values })
    if (this.pending.length >= MAX_PENDING) void this.flush().catch(() => {})
    else this.timer ??= setTimeout(this.flushFromTimer, FLUSH_INTERVAL_MS).unref()
  }

  /** Commits everything pending so far. On a connection failure the writes are kept for the next flush and the error is thrown. */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.pending
    this.pending = []
    const next = this.chain.catch(() => {}).then(() => (batch.length > 0 ? this.commit(batch) : undefined))
    this.chain = next
    return next
  }

  /** Errors of writes dropped since the last call (reported by the store's `flush()`). */
  takeRejected(): Error[] {
    const rejected = this.rejected
    this.rejected = []
    return rejected
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  private async commit(batch: PendingWrite[]): Promise<void> {
    try {
      await this.inTransaction(batch, false)
    } catch (error) {
      if (!isRowError(error)) {
        this.pending = [...batch, ...this.pending]
        throw error
      }
      // One row was refused: commit the others, each on its own savepoint, and report the refused.
      await this.inTransaction(batch, true)
    }
  }

  private async inTransaction(batch: PendingWrite[], oneByOne: boolean): Promise<void> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      for (const write of batch) {
        if (!oneByOne) {
          await client.query(write.text, write.values)
          continue
        }
        await client.query('SAVEPOINT w')
        try {
          await client.query(write.text, write.values)
          await client.query('RELEASE SAVEPOINT w')
        } catch (error) {
          if (!isRowError(error)) throw error
          this.rejected.push(error as Error)
          await client.query('ROLLBACK TO SAVEPOINT w')
        }
      }
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }

  private readonly flushFromTimer = (): void => {
    this.timer = undefined
    this.flush().catch(() => {
      // Kept pending: retried later; an explicit flush() or read reports it.
      if (this.pending.length > 0) this.timer ??= setTimeout(this.flushFromTimer, FLUSH_INTERVAL_MS * 5).unref()
    })
  }
}
