import { hostname } from 'node:os'
import type { Store } from '../store/types.js'

/** A run whose owner has been silent this long is considered dead (other hosts). */
export const HEARTBEAT_STALE_MS = 60_000

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Marks `running` runs whose process died (kill -9, crash, power loss) as `interrupted`. Returns their ids. */
export async function markInterruptedRuns(store: Store, now = Date.now()): Promise<string[]> {
  const running = await store.listRuns({ status: 'running', limit: 1000 })
  const host = hostname()
  const dead = running.filter((r) => (r.host === host ? r.pid !== process.pid && !isProcessAlive(r.pid) : now - r.heartbeatAt > HEARTBEAT_STALE_MS))
  for (const r of dead) await store.updateRun(r.id, { status: 'interrupted' })
  return dead.map((r) => r.id)
}
