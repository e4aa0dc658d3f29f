import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { EnvironmentLockState, LockAcquisition, LockEntry, Store } from '@pipewright/store-api'
import { recordAudit } from '../record/audit.js'
import { HEARTBEAT_STALE_MS, isProcessAlive, isRunOwnerAlive } from '../record/interrupted.js'

/** A fresh token for one acquisition by this process. */
export function newLockToken(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`
}

/**
 * Whether a lock entry's owner still lives, by the rules that mark runs interrupted: its run is
 * `running` or `queued` and the run's process lives (same host) or beats (other hosts). An entry
 * whose run is not in the store is judged by its own pid and host.
 */
export async function isLockOwnerAlive(store: Store, entry: LockEntry, now = Date.now()): Promise<boolean> {
  const run = await store.getRun(entry.runId)
  if (run) return (run.status === 'running' || run.status === 'queued') && isRunOwnerAlive(run, now)
  return entry.host === hostname() ? entry.pid === process.pid || isProcessAlive(entry.pid) : now - entry.at <= HEARTBEAT_STALE_MS
}

/**
 * Asks for an environment's lock; when it is held (or the first in line is someone else), a
 * holder or first-in-line whose process died is evicted — by its token, so an entry its run took
 * again since is never removed — and the request is made again. Returns the answer and whom it
 * evicted.
 */
export async function acquireLock(
  store: Store,
  environment: string,
  request: Parameters<Store['acquireEnvironmentLock']>[1],
): Promise<LockAcquisition & { evicted: LockEntry[] }> {
  const first = await store.acquireEnvironmentLock(environment, request)
  if (first.granted) return { ...first, evicted: [] }
  const state = await store.getEnvironmentLock(environment)
  const evicted: LockEntry[] = []
  for (const entry of [state.holder, state.queue[0]]) {
    if (!entry || (entry.runId === request.runId && entry.stageId === request.stageId)) continue
    if (await isLockOwnerAlive(store, entry, request.at)) continue
    if (await store.releaseEnvironmentLock(environment, { runId: entry.runId, stageId: entry.stageId, token: entry.token })) {
      evicted.push(entry)
      await recordAudit(store, {
        action: 'environment.lock-evicted', actor: 'pipewright', source: 'engine', at: request.at,
        subject: { environment, runId: entry.runId, stageId: entry.stageId, pipeline: entry.pipeline }, data: { reason: 'owner process is gone', by: { runId: request.runId, stageId: request.stageId } },
      })
    }
  }
  if (evicted.length === 0) return { ...first, evicted }
  return { ...(await store.acquireEnvironmentLock(environment, request)), evicted }
}

/**
 * Removes an environment's holder by hand (`pipewright unlock`): only when its owner is dead,
 * unless `force`. Returns the removed holder, or why nothing was removed.
 */
export async function unlockEnvironment(store: Store, environment: string, options: { force?: boolean; actor?: string; source?: string } = {}): Promise<{ removed?: LockEntry; alive?: LockEntry; state: EnvironmentLockState }> {
  const state = await store.getEnvironmentLock(environment)
  const holder = state.holder
  if (!holder) return { state }
  if (!options.force && (await isLockOwnerAlive(store, holder))) return { alive: holder, state }
  await store.releaseEnvironmentLock(environment, { runId: holder.runId, stageId: holder.stageId, token: holder.token })
  await recordAudit(store, {
    action: 'environment.unlocked', actor: options.actor ?? 'unknown', source: options.source ?? 'cli',
    subject: { environment, runId: holder.runId, stageId: holder.stageId, pipeline: holder.pipeline }, data: { force: options.force === true, holderPid: holder.pid, holderHost: holder.host },
  })
  return { removed: holder, state: await store.getEnvironmentLock(environment) }
}
