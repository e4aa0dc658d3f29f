import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import type { RunRecord, Store } from '@pipewright/store-api'

/** A run whose owner has been silent this long is considered dead (other hosts). */
export const HEARTBEAT_STALE_MS = 60_000

/** True while `pid` runs on this host. A zombie (killed, not yet reaped by its parent) is dead. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z'
  } catch {
    return true
  }
}

/**
 * Whether the process that owns a run still lives: on this host, its pid runs (this process
 * counts as alive); on another host, it wrote its heartbeat within `HEARTBEAT_STALE_MS`.
 */
export function isRunOwnerAlive(run: Pick<RunRecord, 'host' | 'pid' | 'heartbeatAt'>, now = Date.now()): boolean {
  return run.host === hostname() ? run.pid === process.pid || isProcessAlive(run.pid) : now - run.heartbeatAt <= HEARTBEAT_STALE_MS
}

/**
 * Marks `running` and `queued` runs whose process died (kill -9, crash, power loss) as
 * `interrupted`; the read API calls it before every read. Returns their ids.
 */
export async function markInterruptedRuns(store: Store, now = Date.now()): Promise<string[]> {
  const running = await store.listRuns({ status: ['running', 'queued'], limit: 1000 })
  const dead = running.filter((r) => !isRunOwnerAlive(r, now))
  for (const r of dead) await store.updateRun(r.id, { status: 'interrupted' })
  return dead.map((r) => r.id)
}
