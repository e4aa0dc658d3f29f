import { describeFailure } from './health-check.js'
import type { Environment } from './environment.js'
import { releasePort } from './ports.js'
import type { Slot } from './slot.js'

/**
 * Watches an environment's serving instances (and those kept for rollback) through their
 * target's `check`, and restarts a crashed one after an exponential back-off — at most
 * `maxRestarts` times within `windowMs`; then it gives up, stops the instance and says so in
 * `status` and the agent log. Instances an operation is still starting are its business.
 */
export class Supervisor {
  private timer: NodeJS.Timeout | undefined
  private ticking = false

  constructor(private readonly env: Environment) {}

  start(): void {
    this.stop()
    this.timer = setInterval(() => void this.tick(), this.env.spec.supervise.checkIntervalMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  private async tick(): Promise<void> {
    if (this.ticking) return
    this.ticking = true
    try {
      for (const slot of [...this.env.slots.values()]) {
        if (slot.state !== 'running' || slot.role === 'canary') continue
        const live = await this.env.driverOf(slot).check(slot.config, slot.handle)
        // It may have been retired while we asked.
        if (!live.alive && slot.state === 'running' && this.env.slots.get(slot.id) === slot) this.crashed(slot, live.reason ?? 'is not running')
      }
    } finally {
      this.ticking = false
    }
  }

  private crashed(slot: Slot, reason: string): void {
    const { maxRestarts, windowMs, backoffMs, backoffMaxMs } = this.env.spec.supervise
    const now = Date.now()
    this.env.proxy.router.markDown(slot.id, true)
    slot.crashes = [...slot.crashes.filter((t) => now - t < windowMs), now]
    if (slot.crashes.length > maxRestarts) {
      slot.state = 'failed'
      slot.lastExit = `gave up after ${slot.restarts} restart(s): crashed ${slot.crashes.length} times within ${Math.round(windowMs / 1000)} s (last: ${reason})`
      this.env.log(`instance ${slot.id} ${slot.lastExit}`)
      // Clean up what is left of it (a stopped container, a stray child); it stays listed as failed.
      void this.env
        .driverOf(slot)
        .stop(slot.config, slot.handle, 1_000)
        .catch(() => undefined)
        .then(() => this.env.persist())
      return
    }
    slot.state = 'restarting'
    slot.lastExit = reason
    const delay = Math.min(backoffMs * 2 ** (slot.crashes.length - 1), backoffMaxMs)
    this.env.log(`instance ${slot.id} ${reason}; restart ${slot.crashes.length} of at most ${maxRestarts} in ${delay} ms`)
    slot.timer = setTimeout(() => void this.restart(slot), delay)
    slot.timer.unref()
  }

  private async restart(slot: Slot): Promise<void> {
    slot.timer = undefined
    const current = () => this.env.slots.get(slot.id) === slot && slot.state === 'restarting'
    if (!current()) return
    const driver = this.env.driverOf(slot)
    await driver.stop(slot.config, slot.handle, 1_000).catch(() => undefined)
    releasePort(slot.handle.port)
    let handle
    try {
      handle = await this.env.startHandle(slot, slot.id, new AbortController().signal)
    } catch (error) {
      if (current()) this.crashed(slot, `could not be started again: ${error instanceof Error ? error.message : String(error)}`)
      return
    }
    if (!current()) {
      await driver.stop(slot.config, handle, 1_000).catch(() => undefined)
      return
    }
    // A new port: whatever took the old one must never answer our health check.
    slot.handle = handle
    slot.restarts++
    this.env.proxy.addBackend(slot.id, handle.host, handle.port)
    void this.env.persist()
    const failure = await this.env.waitHealthy(slot)
    if (!current()) return
    if (failure) return this.crashed(slot, describeFailure(failure))
    slot.state = 'running'
    this.env.proxy.router.markDown(slot.id, false)
    this.env.log(`instance ${slot.id} restarted on port ${handle.port} and healthy (restart ${slot.restarts})`)
    void this.env.persist()
  }
}
