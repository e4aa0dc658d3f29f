import type { Clock } from '@pipewright/plugin-api'

/**
 * Lets a waiting stage sleep (on the engine clock) until its recheck time, a wake-up
 * (`engine.wake`), or cancellation, whichever comes first.
 */
export class Wakers {
  private readonly sleepers = new Map<string, Set<AbortController>>()

  async sleep(clock: Clock, stageId: string, ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return
    const wake = new AbortController()
    let set = this.sleepers.get(stageId)
    if (!set) this.sleepers.set(stageId, (set = new Set()))
    set.add(wake)
    try {
      await clock.sleep(ms, AbortSignal.any([signal, wake.signal])).catch(() => undefined)
    } finally {
      set.delete(wake)
    }
  }

  /** Wakes a stage's sleepers (every stage's when `stageId` is undefined); returns how many woke. */
  wake(stageId?: string): number {
    const sets = stageId === undefined ? [...this.sleepers.values()] : [this.sleepers.get(stageId) ?? new Set<AbortController>()]
    let woken = 0
    for (const set of sets) {
      for (const controller of set) {
        controller.abort()
        woken++
      }
    }
    return woken
  }

  wakeAll(): void {
    this.wake()
  }
}
