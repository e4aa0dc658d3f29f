import { PipewrightError, isPipewrightError, type InstanceHandle } from '@pipewright/plugin-api'
import { describeFailure, probe, waitHealthy } from './health-check.js'
import { HealthCheckFailed, Operation } from './operation.js'
import { freePort, releasePort } from './ports.js'
import type { DeployEvent, DeploymentResult, EnvironmentSpec, EnvironmentStatus, HealthFailure, Outcome, StrategyKind } from './protocol.js'
import { EnvironmentProxy } from './proxy.js'
import { slotInfo, slotRecord, type Release, type Slot } from './slot.js'
import type { EnvironmentState, ReleaseRecord, StateFiles } from './state-file.js'
import { Supervisor } from './supervisor.js'
import type { TargetDriver, TargetDrivers } from './target-driver.js'

const HOST = '127.0.0.1'
const KEEP_HISTORY = 20
const KEEP_RELEASES = 10

export interface EnvironmentDeps {
  drivers: TargetDrivers
  files: StateFiles
  log(line: string): void
}

export function portOf(url: string): number {
  return Number(new URL(url).port)
}

/**
 * One environment the agent serves: its router, its instances, the versions it ran, and at most
 * one operation (deploy or rollback) at a time.
 */
export class Environment {
  readonly proxy: EnvironmentProxy
  readonly slots = new Map<string, Slot>()
  readonly supervisor: Supervisor
  current: ReleaseRecord | undefined
  previous: ReleaseRecord | undefined
  releases: ReleaseRecord[] = []
  history: DeploymentResult[] = []
  operation: Operation | undefined
  private operationDone: Promise<unknown> | undefined
  private previousTimer: NodeJS.Timeout | undefined
  stopped = false
  /** Set while a restarted agent brings the environment back. */
  restoring: { since: number; done: Promise<void> } | undefined

  constructor(
    public spec: EnvironmentSpec,
    private readonly deps: EnvironmentDeps,
  ) {
    this.proxy = new EnvironmentProxy(spec.name, portOf(spec.url))
    this.supervisor = new Supervisor(this)
  }

  get name(): string {
    return this.spec.name
  }

  log(line: string): void {
    this.deps.log(`[${this.name}] ${line}`)
  }

  driverOf(slot: Pick<Slot, 'target'>): TargetDriver {
    return this.deps.drivers.get(slot.target)
  }

  /** A recorded version as a startable release (its target config validated again). */
  releaseOf(record: ReleaseRecord): Release {
    const driver = this.deps.drivers.get(record.target)
    return { version: record.version, release: record.release, target: record.target, config: driver.parseConfig(record.target.with, `environments.${this.name}.target.with`) }
  }

  slotsWith(role: Slot['role']): Slot[] {
    return [...this.slots.values()].filter((s) => s.role === role)
  }

  /** Starts one instance of a release, on a fresh port. The caller registers and routes it. */
  async startHandle(release: Release, id: string, signal: AbortSignal): Promise<InstanceHandle> {
    const port = await freePort()
    try {
      return await this.deps.drivers.get(release.target).start(
        release.config,
        {
          id,
          environment: this.name,
          version: release.version,
          release: release.release,
          host: HOST,
          port,
          env: { ...this.spec.env, PORT: String(port), PIPEWRIGHT_ENVIRONMENT: this.name, PIPEWRIGHT_VERSION: release.version, PIPEWRIGHT_INSTANCE: id },
        },
        signal,
      )
    } catch (error) {
      releasePort(port)
      throw error
    }
  }

  waitHealthy(slot: Slot, signal?: AbortSignal): Promise<HealthFailure | undefined> {
    return waitHealthy({ id: slot.id, host: slot.handle.host, port: slot.handle.port }, this.spec.health, {
      alive: () => this.driverOf(slot).check(slot.config, slot.handle),
      ...(signal ? { signal } : {}),
    })
  }

  /** Starts an instance, registers it (not routed yet, persisted so a dead agent's successor can stop it) and waits for its health. */
  async launch(release: Release, id: string, role: Slot['role'], signal: AbortSignal, onStarted?: (slot: Slot) => void): Promise<{ slot: Slot; failure: HealthFailure | undefined }> {
    const handle = await this.startHandle(release, id, signal)
    const slot: Slot = { id, version: release.version, role, release: release.release, target: release.target, config: release.config, handle, state: 'starting', restarts: 0, crashes: [] }
    this.slots.set(id, slot)
    this.proxy.addBackend(id, handle.host, handle.port)
    onStarted?.(slot)
    void this.persist()
    const failure = await this.waitHealthy(slot, signal)
    if (!failure) slot.state = 'running'
    return { slot, failure }
  }

  /** Stops an instance and forgets it (out of the router first). Never throws. */
  async stopSlot(slot: Slot): Promise<void> {
    if (slot.timer) clearTimeout(slot.timer)
    slot.state = 'stopping'
    this.proxy.router.markDown(slot.id, true)
    try {
      await this.driverOf(slot).stop(slot.config, slot.handle, this.spec.stopGraceMs)
    } catch (error) {
      this.log(`stopping ${slot.id} failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    this.slots.delete(slot.id)
    this.proxy.removeBackend(slot.id)
    this.proxy.router.markDown(slot.id, false)
    releasePort(slot.handle.port)
    void this.persist()
  }

  /** Sets who receives traffic, in one step; roles follow. */
  route(stable: readonly Slot[], canary: readonly Slot[] = [], canaryWeight = 0): void {
    for (const s of stable) s.role = 'stable'
    for (const s of canary) s.role = 'canary'
    for (const s of [...stable, ...canary]) this.proxy.addBackend(s.id, s.handle.host, s.handle.port)
    this.proxy.router.set(
      stable.map((s) => s.id),
      canary.map((s) => s.id),
      canaryWeight,
    )
  }

  /** Old instances kept (without traffic) for a quick rollback are stopped after `ms`. */
  keepPrevious(slots: readonly Slot[], ms: number): void {
    for (const s of slots) s.role = 'previous'
    if (this.previousTimer) clearTimeout(this.previousTimer)
    this.previousTimer = setTimeout(() => {
      this.previousTimer = undefined
      if (this.operation) return
      for (const s of this.slotsWith('previous')) void this.stopSlot(s)
    }, ms)
    this.previousTimer.unref()
  }

  async retirePrevious(op: Operation): Promise<void> {
    if (this.previousTimer) clearTimeout(this.previousTimer)
    await op.retire(this.slotsWith('previous'), 'no longer kept for rollback')
  }

  commit(record: ReleaseRecord): void {
    if (this.current && this.current.version !== record.version) this.previous = this.current
    this.current = record
    this.releases = [record, ...this.releases.filter((r) => r.version !== record.version)].slice(0, KEEP_RELEASES)
  }

  isBusy(): boolean {
    return this.operation !== undefined
  }

  assertIdle(): void {
    if (this.restoring) {
      throw new PipewrightError('PW_ERR_ENVIRONMENT_BUSY', `Environment ${this.name} is being restored by the agent that just started`, { details: 'Try again in a moment (`pipewright agent status` shows when it is done).' })
    }
    if (this.operation) {
      const o = this.operation.info
      throw new PipewrightError('PW_ERR_ENVIRONMENT_BUSY', `Environment ${this.name} has an operation in flight: ${o.kind} of ${o.version} (${o.strategy}, ${o.phase})`, {
        details: 'Wait for it to finish (`pipewright agent status`), or abort it.',
      })
    }
  }

  /** Runs a deploy or rollback: one at a time, progress to `listener`, the result recorded. */
  async runOperation(
    kind: 'deploy' | 'rollback',
    version: string,
    strategy: StrategyKind | 'switch-back',
    target: string,
    meta: Record<string, string>,
    listener: (event: DeployEvent) => void,
    body: (op: Operation) => Promise<void>,
    clientGone?: AbortSignal,
  ): Promise<DeploymentResult> {
    this.assertIdle()
    const op = new Operation(this, kind, version, strategy, listener, clientGone)
    this.operation = op
    const before = this.current?.version
    let outcome: Outcome = 'succeeded'
    let error: DeploymentResult['error']
    const run = (async () => {
      op.emit('started', `${kind === 'deploy' ? 'Deploying' : 'Rolling back to'} ${version} on ${this.name} (${strategy}, ${target})`, { version, strategy, previousVersion: before })
      try {
        await body(op)
        op.emit('finished', `${this.name} serves ${version} (${this.slotsWith('stable').length} instance(s) at ${this.spec.url})`)
      } catch (caught) {
        outcome = op.signal.aborted ? 'aborted' : 'failed'
        const e = isPipewrightError(caught) ? caught : new PipewrightError('PW_ERR_INTERNAL', caught instanceof Error ? caught.message : String(caught), { cause: caught })
        error = { code: e.code, message: e.message, details: e.details, ...(caught instanceof HealthCheckFailed ? { health: caught.health } : {}) }
        op.emit(outcome, `${outcome === 'aborted' ? 'Aborted' : 'Failed'}: ${e.message}${this.current ? `; ${this.current.version} serves` : ''}`, undefined, 'error')
        // Whatever this operation started and did not route must not linger.
        await Promise.all(this.slotsWith('canary').map((s) => this.stopSlot(s)))
      } finally {
        this.operation = undefined
      }
    })()
    this.operationDone = run
    await run
    const result: DeploymentResult = {
      operation: op.id,
      kind,
      environment: this.name,
      version,
      ...(before !== undefined ? { previousVersion: before } : {}),
      strategy,
      target,
      startedAt: op.info.startedAt,
      finishedAt: Date.now(),
      outcome,
      ...(this.current ? { servingVersion: this.current.version } : {}),
      instances: this.slotsWith('stable').map(slotInfo),
      ...(error ? { error } : {}),
      meta,
    }
    this.history = [result, ...this.history].slice(0, KEEP_HISTORY)
    await this.persist()
    return result
  }

  /** Aborts the operation in flight; a canary gives all traffic back to stable before this returns. */
  async abort(reason: string): Promise<boolean> {
    const op = this.operation
    if (!op) return false
    op.abort(reason)
    await this.operationDone?.catch(() => undefined)
    return true
  }

  toState(): EnvironmentState {
    const slots = [...this.slots.values()]
    return {
      format: 1,
      spec: this.spec,
      ...(this.stopped ? { stopped: true } : {}),
      ...(this.current ? { current: this.current } : {}),
      ...(this.previous ? { previous: this.previous } : {}),
      instances: slots.filter((s) => s.role !== 'canary').map(slotRecord),
      pending: slots.filter((s) => s.role === 'canary').map(slotRecord),
      releases: this.releases,
      history: this.history,
    }
  }

  persist(): Promise<void> {
    return this.deps.files.write(this.toState()).catch((error: unknown) => this.log(`could not write state: ${error instanceof Error ? error.message : String(error)}`))
  }

  async status(): Promise<EnvironmentStatus> {
    const instances = await Promise.all(
      [...this.slots.values()].map(async (s) => {
        const base = { ...slotInfo(s), inFlight: this.proxy.inFlight(s.id) }
        if (s.state !== 'running') return base
        const answer = await probe(s.handle.host, s.handle.port, { ...this.spec.health, timeoutMs: Math.min(this.spec.health.timeoutMs, 1_000) })
        return { ...base, healthy: answer.ok, health: answer.status !== undefined ? `${answer.status}` : (answer.error ?? 'no answer') }
      }),
    )
    const up = instances.filter((i) => i.role === 'stable' && i.state === 'running').length
    const state: EnvironmentStatus['state'] = this.stopped ? 'stopped' : !this.current ? 'empty' : up >= this.spec.instances ? 'serving' : up > 0 ? 'degraded' : 'down'
    return {
      name: this.name,
      url: this.spec.url,
      proxyPort: this.proxy.port,
      target: this.spec.target.uses,
      state,
      ...(this.current ? { version: this.current.version, deployedAt: this.current.deployedAt } : {}),
      ...(this.previous ? { previousVersion: this.previous.version } : {}),
      traffic: this.proxy.router.share(),
      instances,
      ...(this.operation ? { operation: { ...this.operation.info } } : {}),
      ...(this.restoring ? { operation: { operation: 'restore', kind: 'restore' as const, version: this.current?.version ?? '', strategy: 'restore', phase: 'restoring', startedAt: this.restoring.since } } : {}),
      ...(this.history[0] ? { lastResult: this.history[0] } : {}),
    }
  }

  /** Stops the router and the supervisor; with `stopInstances`, every instance too (then marked stopped). */
  async shutdown(stopInstances: boolean): Promise<void> {
    await this.abort('the agent is stopping')
    this.supervisor.stop()
    if (this.previousTimer) clearTimeout(this.previousTimer)
    for (const s of this.slots.values()) if (s.timer) clearTimeout(s.timer)
    if (stopInstances) {
      await Promise.all([...this.slots.values()].map((s) => this.stopSlot(s)))
      this.stopped = true
    }
    await this.proxy.close(stopInstances ? 2_000 : 5_000)
    await this.persist()
  }

  describe(failure: HealthFailure): string {
    return describeFailure(failure)
  }
}
