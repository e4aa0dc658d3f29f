import { randomBytes } from 'node:crypto'
import { PipewrightError } from '@pipewright/plugin-api'
import { describeFailure, probe, sleep } from './health-check.js'
import type { DeployEvent, HealthFailure, OperationInfo } from './protocol.js'
import type { Release, Slot } from './slot.js'
import type { Environment } from './environment.js'

/** A deployment that failed on a health check: the previous version still serves. */
export class HealthCheckFailed extends PipewrightError {
  constructor(
    readonly environment: string,
    readonly version: string,
    readonly health: HealthFailure,
  ) {
    super('PW_ERR_DEPLOYMENT_FAILED', `Version ${version} of ${environment} did not become healthy: ${describeFailure(health)}`, {
      details: 'The previous version still serves. Fix the version (its instance log is under the agent\'s targets directory) and deploy again.',
    })
  }
}

export class OperationAborted extends PipewrightError {
  constructor(environment: string, reason: string) {
    super('PW_ERR_CANCELLED', `The operation on ${environment} was aborted: ${reason}`, { details: 'The stable version serves all traffic again.' })
  }
}

export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
}

/** One deploy or rollback in flight: its progress events, its abort switch, and the steps strategies use. */
export class Operation {
  readonly id = newId('op')
  readonly controller = new AbortController()
  /** Called synchronously by `abort()`: a canary routes all traffic back to stable here, at once. */
  onAbort: (() => void) | undefined
  abortReason: string | undefined
  readonly info: OperationInfo
  /** The canary step waiting for the client's verdict, and how to let it go on. */
  private awaiting: { step: number; proceed: () => void } | undefined

  constructor(
    readonly env: Environment,
    kind: 'deploy' | 'rollback',
    version: string,
    strategy: string,
    private readonly listener: (event: DeployEvent) => void,
    /** Aborted when the client that asked for the operation goes away. */
    private readonly clientGone?: AbortSignal,
  ) {
    this.info = { operation: this.id, kind, version, strategy, phase: 'starting', startedAt: Date.now() }
  }

  /**
   * Resolves when the client's verdict on a canary step says go on (`proceed`); rejects when the
   * operation is aborted. Nobody left to judge is an abort: a client that went away (or goes
   * while the verdict is due) cannot send one.
   */
  awaitVerdict(step: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const gone = () => this.abort('the client judging the canary went away before its verdict')
      const aborted = () => {
        cleanup()
        reject(new OperationAborted(this.env.name, this.abortReason ?? 'aborted'))
      }
      const cleanup = () => {
        this.awaiting = undefined
        this.signal.removeEventListener('abort', aborted)
        this.clientGone?.removeEventListener('abort', gone)
      }
      this.awaiting = {
        step,
        proceed: () => {
          cleanup()
          resolve()
        },
      }
      if (this.signal.aborted) return aborted()
      this.signal.addEventListener('abort', aborted, { once: true })
      if (this.clientGone?.aborted) return gone()
      this.clientGone?.addEventListener('abort', gone, { once: true })
    })
  }

  /** The client's verdict on a step: go on. False when no verdict on that step is due. */
  proceed(step: number): boolean {
    if (!this.awaiting || this.awaiting.step !== step) return false
    this.awaiting.proceed()
    return true
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  abort(reason: string): void {
    if (this.controller.signal.aborted) return
    this.abortReason = reason
    this.onAbort?.()
    this.controller.abort(new OperationAborted(this.env.name, reason))
  }

  throwIfAborted(): void {
    if (this.controller.signal.aborted) throw new OperationAborted(this.env.name, this.abortReason ?? 'aborted')
  }

  phase(phase: string): void {
    this.info.phase = phase
  }

  emit(kind: string, message: string, data?: Record<string, unknown>, level: DeployEvent['level'] = 'info'): void {
    const event: DeployEvent = { at: Date.now(), environment: this.env.name, operation: this.id, level, message, kind, ...(data ? { data } : {}) }
    this.env.log(`[${this.id}] ${message}`)
    try {
      this.listener(event)
    } catch {
      // A caller that went away must not stop the deployment.
    }
  }

  /**
   * Starts `count` instances of a release at once and waits for each to pass its health check.
   * All or nothing: when one fails, every instance this call started is stopped, and the failure
   * (with the health check's last response) is thrown.
   */
  async startInstances(release: Release, count: number, role: Slot['role'], options: { abortable?: boolean } = {}): Promise<Slot[]> {
    // Not abortable: putting the old version back after an abort must not be stopped by that abort.
    const abortable = options.abortable !== false
    const signal = abortable ? this.signal : new AbortController().signal
    if (abortable) this.throwIfAborted()
    const results = await Promise.allSettled(
      Array.from({ length: count }, async () => {
        const id = `${this.env.name}-${randomBytes(3).toString('hex')}`
        const { slot, failure } = await this.env.launch(release, id, role, signal, (s) => {
          this.emit('instance-started', `Started instance ${s.id} of ${release.version} on ${s.handle.host}:${s.handle.port}`, { instance: s.id, port: s.handle.port, pid: s.handle.pid, containerId: s.handle.containerId })
        })
        return { slot, failure }
      }),
    )
    const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.slot] : []))
    const failed = results.find((r) => r.status === 'rejected' || r.value.failure !== undefined)
    if (failed || signal.aborted) {
      await Promise.all(started.map((s) => this.env.stopSlot(s)))
      if (abortable) this.throwIfAborted()
      if (failed!.status === 'rejected') throw failed!.reason
      const failure = failed!.value.failure!
      this.emit('health-failed', describeFailure(failure), { ...failure }, 'error')
      throw new HealthCheckFailed(this.env.name, release.version, failure)
    }
    for (const s of started) this.emit('instance-healthy', `Instance ${s.id} of ${release.version} is healthy`, { instance: s.id })
    return started
  }

  /** Takes instances out of service: out of the router, drained, stopped, forgotten. */
  async retire(slots: readonly Slot[], why: string): Promise<void> {
    if (slots.length === 0) return
    const ids = slots.map((s) => s.id)
    for (const s of slots) s.state = 'stopping'
    this.emit('draining', `Draining ${ids.join(', ')} (${why})`, { instances: ids })
    const left = await this.env.proxy.drain(ids, this.env.spec.drainTimeoutMs)
    if (left > 0) this.emit('drain-timeout', `${left} request(s) still in flight on ${ids.join(', ')} after ${this.env.spec.drainTimeoutMs} ms; stopping anyway`, { instances: ids }, 'warn')
    await Promise.all(slots.map((s) => this.env.stopSlot(s)))
    this.emit('instance-stopped', `Stopped ${ids.join(', ')}`, { instances: ids })
  }

  /**
   * Watches instances for `ms` (a canary pause) — and, with `until`, until it resolves too: each
   * must stay alive and pass its health check. Throws the first failure, `until`'s rejection, or
   * OperationAborted.
   */
  async watch(slots: readonly Slot[], ms: number, until?: Promise<void>): Promise<void> {
    const deadline = Date.now() + ms
    const every = Math.max(this.env.spec.health.intervalMs, 200)
    let settled = until === undefined
    let failed: { error: unknown } | undefined
    const decided = until?.then(
      () => void (settled = true),
      (error: unknown) => void (failed = { error }),
    )
    for (;;) {
      if (failed) throw failed.error
      this.throwIfAborted()
      for (const s of slots) {
        const live = await this.env.driverOf(s).check(s.config, s.handle)
        const answer = live.alive ? await probe(s.handle.host, s.handle.port, this.env.spec.health) : undefined
        if (!live.alive || !answer?.ok) {
          const failure: HealthFailure = {
            instance: s.id,
            url: `http://${s.handle.host}:${s.handle.port}${this.env.spec.health.path}`,
            attempts: 1,
            elapsedMs: 0,
            ...(answer?.status !== undefined ? { status: answer.status, body: answer.body ?? '' } : { error: live.alive ? (answer?.error ?? 'no answer') : `instance ${live.reason ?? 'is not running'}` }),
          }
          this.emit('health-failed', describeFailure(failure), { ...failure }, 'error')
          throw new HealthCheckFailed(this.env.name, s.version, failure)
        }
      }
      const left = deadline - Date.now()
      if (left <= 0 && settled) return
      await Promise.race([sleep(left > 0 ? Math.min(every, left) : every, this.signal), ...(decided && !settled ? [decided] : [])])
    }
  }
}
