import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RunRecord, Store } from '@pipewright/store-api'
import { processesOfRun, signalQuietly } from '../exec/process-tree.js'

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

/** How long processes left behind by a dead run get to end after SIGTERM, before SIGKILL. */
const ORPHAN_GRACE_MS = 2000

/**
 * Stops the processes that stages of `runId` left running on this host when the engine running
 * them died (kill -9, crash): found by their stage token, SIGTERM, then SIGKILL after a grace
 * period. Returns their pids.
 */
export async function stopOrphans(runId: string): Promise<number[]> {
  const pids = processesOfRun(runId)
  if (pids.length === 0) return []
  for (const pid of pids) signalQuietly(pid, 'SIGTERM')
  for (let waited = 0; waited < ORPHAN_GRACE_MS && pids.some(isProcessAlive); waited += 50) await sleep(50)
  for (const pid of pids) if (isProcessAlive(pid)) signalQuietly(pid, 'SIGKILL')
  return pids
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
 * `interrupted`, and stops the stage processes they left running on this host (`onOrphans`
 * hears of them); the read API calls it before every read. Returns the ids of the runs marked.
 */
export async function markInterruptedRuns(store: Store, now = Date.now(), onOrphans?: (runId: string, pids: number[]) => void): Promise<string[]> {
  const running = await store.listRuns({ status: ['running', 'queued'], limit: 1000 })
  const host = hostname()
  const dead = running.filter((r) => !isRunOwnerAlive(r, now))
  for (const r of dead) {
    await store.updateRun(r.id, { status: 'interrupted' })
    const pids = r.host === host ? await stopOrphans(r.id) : []
    if (pids.length > 0) onOrphans?.(r.id, pids)
  }
  return dead.map((r) => r.id)
}
