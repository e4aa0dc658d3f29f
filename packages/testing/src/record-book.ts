import type { RecordQuery, RunRecords, RunStatus, StoredRecord } from '@pipewright/plugin-api'

/**
 * Records of several simulated runs, shared by the contexts of one test, so a plugin's
 * `records.previous()` / `history()` can be tested across runs without an engine.
 */
export interface RecordBook {
  /** Every record saved or seeded, oldest first, with its run's status and branch. */
  readonly records: readonly StoredRecord[]
  /** A fresh run id (`run-1`, `run-2`, …) for a context that names none. */
  nextRunId(): string
  /**
   * Ends a run as the engine does: its records take `status` (they are `running` until then), so
   * the next run's `previous()`, which only sees `succeeded` runs by default, can find them.
   */
  finishRun(runId: string, status: RunStatus): void
  /** The `ctx.records` of one stage of one run; `run.branch`/`run.sha` are stamped on what it saves. */
  forStage(runId: string, stageId: string, run?: { branch?: string | undefined; sha?: string | undefined; now?: () => number }): RunRecords & { readonly saved: StoredRecord[] }
}

export interface RecordBookOptions {
  /** Records of earlier runs, newest first (as `history()` returns them), with their `runStatus`. */
  history?: StoredRecord[]
}

// Through JSON, as the engine's stores keep them: only plain data survives a save.
const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T))

/** Creates an empty record book, or one seeded with earlier runs' records. */
export function createRecordBook(options: RecordBookOptions = {}): RecordBook {
  // Kept oldest first; insertion order decides "newest", so equal timestamps cannot reorder runs.
  const records: StoredRecord[] = [...(options.history ?? [])].reverse().map((r) => clone(r))
  let runs = 0

  return {
    records,
    nextRunId: () => `run-${++runs}`,
    finishRun(runId, status) {
      for (const r of records) if (r.runId === runId) r.runStatus = status
    },
    forStage(runId, stageId, run = {}) {
      const stageOf = (q: { stageId?: string } = {}) => q.stageId ?? stageId
      // Like the engine's store queries: other runs only, newest first, optional stage/branch/status.
      const earlier = (kind: string, q: RecordQuery, status: string | undefined) =>
        records
          .filter((r) => r.kind === kind && r.runId !== runId && (stageOf(q) === '*' || r.stageId === stageOf(q)))
          .filter((r) => (!q.branch || r.branch === q.branch) && (status === undefined || r.runStatus === status))
          .reverse()
      return {
        get saved() {
          return records.filter((r) => r.runId === runId && r.stageId === stageId)
        },
        async save(kind, data) {
          const i = records.findIndex((r) => r.runId === runId && r.stageId === stageId && r.kind === kind)
          if (i >= 0) records.splice(i, 1)
          const record: StoredRecord = { runId, stageId, kind, data: clone(data), createdAt: run.now?.() ?? Date.now(), runStatus: 'running' }
          if (run.branch !== undefined) record.branch = run.branch
          if (run.sha !== undefined) record.sha = run.sha
          records.push(record)
        },
        async get<T>(kind: string, q: Pick<RecordQuery, 'stageId'> = {}) {
          return clone(records.findLast((r) => r.runId === runId && r.kind === kind && (stageOf(q) === '*' || r.stageId === stageOf(q)))?.data) as T | undefined
        },
        async previous<T>(kind: string, q: RecordQuery = {}) {
          return clone(earlier(kind, q, q.runStatus ?? 'succeeded')[0]) as StoredRecord<T> | undefined
        },
        async history<T>(kind: string, q: RecordQuery = {}) {
          return clone(earlier(kind, q, q.runStatus).slice(0, q.limit ?? 50)) as StoredRecord<T>[]
        },
      }
    },
  }
}
