/**
 * Chooses the instance for each request: a stable set and a canary set with a share in percent.
 * The split is deterministic (an accumulator, not a coin): over any 100 requests exactly
 * `canaryWeight` go to the canary set while both sets have instances up. `set` replaces the whole
 * table in one assignment, which is what makes a blue-green switch atomic.
 */
export class Router {
  private table: { stable: readonly string[]; canary: readonly string[]; canaryWeight: number } = { stable: [], canary: [], canaryWeight: 0 }
  private readonly down = new Set<string>()
  private acc = 0
  private next = { stable: 0, canary: 0 }

  set(stable: readonly string[], canary: readonly string[] = [], canaryWeight = 0): void {
    this.table = { stable: [...stable], canary: [...canary], canaryWeight: canary.length === 0 ? 0 : Math.max(0, Math.min(100, canaryWeight)) }
  }

  /** Takes an instance out of rotation (crashed) or puts it back (healthy again). */
  markDown(id: string, down: boolean): void {
    if (down) this.down.add(id)
    else this.down.delete(id)
  }

  isDown(id: string): boolean {
    return this.down.has(id)
  }

  /** The instances that may receive requests. */
  members(): string[] {
    return [...this.table.stable, ...this.table.canary]
  }

  role(id: string): 'stable' | 'canary' | undefined {
    return this.table.stable.includes(id) ? 'stable' : this.table.canary.includes(id) ? 'canary' : undefined
  }

  /** The share each set receives now, in percent. */
  share(): { stable: number; canary: number } {
    const w = this.table.canaryWeight
    return { stable: 100 - w, canary: w }
  }

  /** The instance for the next request, or undefined when none is up. `exclude`: ones that just failed it. */
  pick(exclude: ReadonlySet<string> = new Set()): string | undefined {
    const { stable, canary, canaryWeight } = this.table
    let useCanary = false
    if (canaryWeight > 0) {
      this.acc += canaryWeight
      if (this.acc >= 100) {
        this.acc -= 100
        useCanary = true
      }
    }
    const first = useCanary ? 'canary' : 'stable'
    // A set with nothing up leaves its share to the other: serving beats a 503.
    return this.roundRobin(first, useCanary ? canary : stable, exclude) ?? this.roundRobin(useCanary ? 'stable' : 'canary', useCanary ? stable : canary, exclude)
  }

  private roundRobin(set: 'stable' | 'canary', ids: readonly string[], exclude: ReadonlySet<string>): string | undefined {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[(this.next[set] + i) % ids.length]!
      if (!this.down.has(id) && !exclude.has(id)) {
        this.next[set] = (this.next[set] + i + 1) % ids.length
        return id
      }
    }
    return undefined
  }
}
