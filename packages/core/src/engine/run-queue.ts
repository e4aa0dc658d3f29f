/**
 * Slots for runs (`maxRuns`): a run takes one to start and gives it back when it ends; the others
 * wait in arrival order. A queued run can leave the queue (cancelled) before its turn.
 */
export class RunQueue {
  private running = 0
  private readonly waiting: Array<{ runId: string; start: () => void }> = []

  constructor(private readonly limit: number = Infinity) {}

  /** Whether a run would have to wait now. */
  get full(): boolean {
    return this.running >= this.limit
  }

  /** Position (1-based) a run queued now would have. */
  get nextPosition(): number {
    return this.waiting.length + 1
  }

  /** Resolves when the run may start; `onQueued` is told its position when it has to wait. */
  acquire(runId: string): Promise<void> {
    if (this.running < this.limit) {
      this.running++
      return Promise.resolve()
    }
    return new Promise((start) => this.waiting.push({ runId, start }))
  }

  release(): void {
    const next = this.waiting.shift()
    if (next) next.start()
    else this.running--
  }

  /** Removes a queued run; false when it is not waiting (running, or unknown). */
  remove(runId: string): boolean {
    const index = this.waiting.findIndex((w) => w.runId === runId)
    if (index === -1) return false
    this.waiting.splice(index, 1)
    return true
  }
}
