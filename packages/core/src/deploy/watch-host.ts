import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Engine, LoadedPipeline } from '../engine/types.js'

/** The store lease scope of hosted watches: one lease per environment name. */
export const WATCH_LEASE_SCOPE = 'watch'

export interface WatchHostOptions {
  engine: Pick<Engine, 'load' | 'watchEnvironment' | 'store'>
  /** The pipeline files whose environments' `monitors:` are hosted; read again on every pass. */
  files: () => Iterable<string>
  /** Who watches, as stored in the leases (default `watchHolderId('host')`). */
  holder?: string
  /** How long a lease lasts without renewal (default 30 s); it is renewed every third of that. */
  leaseMs?: number
  /** Which declared environments this host may watch (default: all); asked on every pass. */
  accept?: (environment: string) => boolean | Promise<boolean>
  /** Where the host and its watches say what they see and do. */
  log?: (line: string) => void
  now?: () => number
}

/** One environment this host watches. */
export interface HostedWatch {
  environment: string
  pipeline: string
  file: string
  /** When this host started watching it (epoch ms). */
  since: number
}

export interface WatchHost {
  readonly holder: string
  /** One pass: take or renew the leases, start, restart (changed) and stop watches. */
  tick(): Promise<void>
  /** The environments this host watches now. */
  watching(): HostedWatch[]
  /** Stops every watch, waits for them (notifications in flight included) and releases the leases. */
  close(): Promise<void>
}

/** A holder id unique to this process: `<kind>:<host>:<pid>:<random>`. */
export function watchHolderId(kind: string): string {
  return `${kind}:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
}

interface Active extends HostedWatch {
  fingerprint: string
  renewedAt: number
  controller: AbortController
  done: Promise<void>
}

interface Wanted {
  file: string
  loaded: LoadedPipeline
  fingerprint: string
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * Keeps `engine.watchEnvironment` running, between deploys, for every environment of the given
 * pipelines that declares `monitors:` — for a long-lived process (`pipewright serve`, the agent).
 * Each watch is held by a renewable store lease (`acquireLease('watch', <environment>, holder)`),
 * so of several processes on one store exactly one watches an environment; when the holder stops
 * it releases the lease and another takes over at its next pass, when it dies the lease expires
 * first. A host that cannot renew a lease within its duration stops that watch (another may have
 * it by then). A pipeline whose environment or notification routes change is watched again with
 * the new definition; a watch that fails (a monitor type no plugin provides …) is not started
 * again until its definition changes.
 */
export function hostWatches(options: WatchHostOptions): WatchHost {
  return new Host(options)
}

class Host implements WatchHost {
  readonly holder: string
  private readonly leaseMs: number
  private readonly now: () => number
  private readonly log: (line: string) => void
  private readonly active = new Map<string, Active>()
  private readonly failed = new Map<string, string>()
  private readonly loadErrors = new Map<string, string>()
  private closed = false
  private chain: Promise<void> = Promise.resolve()
  private readonly timer: NodeJS.Timeout

  constructor(private readonly options: WatchHostOptions) {
    this.holder = options.holder ?? watchHolderId('host')
    this.leaseMs = options.leaseMs ?? 30_000
    this.now = options.now ?? Date.now
    this.log = options.log ?? (() => undefined)
    this.timer = setInterval(() => void this.tick(), Math.max(1, Math.floor(this.leaseMs / 3)))
    this.timer.unref()
  }

  tick(): Promise<void> {
    return (this.chain = this.chain.then(() => this.pass()).catch((error: unknown) => this.log(`watch pass failed: ${message(error)}`)))
  }

  watching(): HostedWatch[] {
    return [...this.active.values()].map(({ environment, pipeline, file, since }) => ({ environment, pipeline, file, since }))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.timer)
    await this.chain
    await Promise.all([...this.active.values()].map((watch) => this.stop(watch, 'the host is closing')))
  }

  private get store() {
    return this.options.engine.store
  }

  private release(environment: string): Promise<unknown> {
    return this.store.releaseLease(WATCH_LEASE_SCOPE, environment, this.holder).catch((error: unknown) => this.log(`could not release the watch lease of ${environment}: ${message(error)}`))
  }

  private async stop(watch: Active, why: string, keepLease = false): Promise<void> {
    if (this.active.get(watch.environment) !== watch) return
    this.active.delete(watch.environment)
    this.log(`stopped watching ${watch.environment}: ${why}`)
    watch.controller.abort()
    await watch.done
    if (!keepLease) await this.release(watch.environment)
  }

  private start(environment: string, wanted: Wanted, at: number): void {
    const controller = new AbortController()
    const watch: Active = { environment, pipeline: wanted.loaded.spec.name, file: wanted.file, since: at, fingerprint: wanted.fingerprint, renewedAt: at, controller, done: Promise.resolve() }
    this.active.set(environment, watch)
    this.log(`watching ${environment} (pipeline ${watch.pipeline}) as ${this.holder}`)
    const options = { signal: controller.signal, log: (line: string) => this.log(`${environment}: ${line}`) }
    watch.done = this.options.engine.watchEnvironment(wanted.loaded, environment, options).then(
      () => undefined,
      async (error: unknown) => {
        if (controller.signal.aborted || this.active.get(environment) !== watch) return
        // Not again with the same definition: it would fail the same way on every pass.
        this.failed.set(environment, wanted.fingerprint)
        this.active.delete(environment)
        this.log(`the watch of ${environment} failed: ${message(error)}; it starts again when the pipeline changes`)
        await this.release(environment)
      },
    )
  }

  /** The environments with `monitors:` the pipelines declare now (the first pipeline wins a name). */
  private async declared(): Promise<{ wanted: Map<string, Wanted>; unreadable: Set<string> }> {
    const wanted = new Map<string, Wanted>()
    const unreadable = new Set<string>()
    for (const file of this.options.files()) {
      let loaded: LoadedPipeline
      try {
        loaded = await this.options.engine.load(file)
        this.loadErrors.delete(file)
      } catch (error) {
        unreadable.add(file)
        if (this.loadErrors.get(file) !== message(error)) this.log(`cannot read ${file} for its monitors (its watches go on unchanged): ${message(error)}`)
        this.loadErrors.set(file, message(error))
        continue
      }
      const { spec } = loaded
      for (const [name, env] of Object.entries(spec.environments ?? {})) {
        if (!env.monitors || wanted.has(name)) continue
        if (this.options.accept && !(await this.options.accept(name))) continue
        const fingerprint = JSON.stringify({ file, pipeline: spec.name, env, notify: spec.notify ?? [], plugins: spec.plugins ?? [], secrets: spec.secrets ?? [] })
        wanted.set(name, { file, loaded, fingerprint })
      }
    }
    return { wanted, unreadable }
  }

  private async pass(): Promise<void> {
    if (this.closed) return
    const { wanted, unreadable } = await this.declared()
    for (const watch of [...this.active.values()]) {
      const next = wanted.get(watch.environment)
      if (!next && !unreadable.has(watch.file)) await this.stop(watch, 'no registered pipeline declares its monitors any more')
      else if (next && next.fingerprint !== watch.fingerprint) await this.stop(watch, 'its pipeline changed; watching it again with the new definition')
    }
    for (const [environment, next] of wanted) {
      if (this.closed) return
      await this.hold(environment, next)
    }
  }

  /** Takes or renews one environment's lease; starts its watch when newly held, stops it when lost. */
  private async hold(environment: string, next: Wanted): Promise<void> {
    const at = this.now()
    const current = this.active.get(environment)
    if (!current && this.failed.get(environment) === next.fingerprint) return
    let held: boolean
    try {
      held = await this.store.acquireLease(WATCH_LEASE_SCOPE, environment, this.holder, at, this.leaseMs)
    } catch (error) {
      this.log(`could not take or renew the watch lease of ${environment}: ${message(error)}`)
      if (current && at - current.renewedAt >= this.leaseMs) await this.stop(current, 'its lease could not be renewed in time', true)
      return
    }
    if (!held) {
      if (current) await this.stop(current, 'another process holds its lease now', true)
    } else if (current) {
      current.renewedAt = at
    } else {
      this.start(environment, next, at)
    }
  }
}
