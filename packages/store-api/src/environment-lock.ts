import type { EnvironmentLockState, LockAcquisition, LockEntry, LockRequest } from './types.js'

/** What one acquisition changes: the requester's entry as it must be stored now. */
export interface LockDecision {
  result: LockAcquisition
  /** The requester's entry to insert or update (by environment, run and stage). */
  entry: LockEntry
}

const sameOwner = (a: Pick<LockEntry, 'runId' | 'stageId'>, b: Pick<LockEntry, 'runId' | 'stageId'>) => a.runId === b.runId && a.stageId === b.stageId

/** An environment's entries as its lock state: the holder, and the queue in arrival order. */
export function lockState(environment: string, entries: readonly LockEntry[]): EnvironmentLockState {
  const holder = entries.find((e) => e.acquiredAt !== undefined)
  const queue = entries.filter((e) => e.acquiredAt === undefined).sort((a, b) => a.seq - b.seq)
  return { environment, ...(holder ? { holder } : {}), queue }
}

/**
 * The lock rule every store applies inside its own transaction (see `Store.acquireEnvironmentLock`):
 * given the environment's current entries, what the requester gets and how its entry is stored.
 * `nextSeq` is called only when the requester is new to the lock.
 */
export function decideAcquisition(environment: string, entries: readonly LockEntry[], request: LockRequest, nextSeq: () => number): LockDecision {
  const { holder, queue } = lockState(environment, entries)
  const mine = entries.find((e) => sameOwner(e, request))
  const base: LockEntry = mine
    ? { ...mine, token: request.token, pid: request.pid, host: request.host, pipeline: request.pipeline, at: request.at }
    : { ...request, seq: nextSeq(), enqueuedAt: request.at }
  if (holder && sameOwner(holder, request)) return { entry: base, result: { granted: true, entry: base, ahead: 0 } }
  const ahead = queue.filter((e) => !sameOwner(e, request) && e.seq < base.seq).length
  if (!holder && ahead === 0) {
    const entry: LockEntry = { ...base, acquiredAt: request.at }
    return { entry, result: { granted: true, entry, ahead: 0 } }
  }
  const queued: LockEntry = { ...base }
  delete queued.acquiredAt
  return { entry: queued, result: { granted: false, entry: queued, ...(holder ? { holder } : {}), ahead } }
}
