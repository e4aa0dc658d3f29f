import { setMaxListeners } from 'node:events'
import type { Clock, EventInput, GitInfo, PipewrightEvents, StoredArtifact } from '@pipewright/plugin-api'
import type { StageRecord, Store } from '@pipewright/store-api'
import type { ArtifactStore } from '../artifacts/artifact-store.js'
import type { EventBus } from '../engine/event-bus.js'
import type { StageExecutor } from '../exec/executor.js'
import type { Plan } from '../pipeline/plan.js'
import type { PipelineSpec } from '../pipeline/schema.js'
import type { Deployer } from '../deploy/deployer.js'
import type { PluginHost } from '../plugins/host.js'
import type { RunRecorder } from '../record/recorder.js'
import type { Redactor } from '../security/redact.js'
import type { HookChain } from './hook-chain.js'
import { Wakers } from './wakers.js'

/** What one run's kernel works with: its plan, its services, and how it reports. */
export interface RunSessionInput {
  runId: string
  spec: PipelineSpec
  plan: Plan
  pipeline: { name: string; file?: string; dir: string }
  git: GitInfo | undefined
  bus: EventBus
  clock: Clock
  store: Store
  recorder: RunRecorder
  host: PluginHost
  executor: StageExecutor
  hooks: HookChain
  artifacts: ArtifactStore
  secrets: Map<string, string>
  redact: Redactor
  vars: Record<string, string>
  /** Process environment for stages (PIPEWRIGHT_SECRET_* already removed). */
  baseEnv: Record<string, string>
  concurrency: number
  noCache: boolean
  rerunNonIdempotent: boolean
  /** Scratch directory of this run: output files, materialized artifacts. */
  scratch: string
  /** Stage records of an earlier attempt of this run (resume), with the artifacts each stored. */
  prior: Map<string, StageRecord & { artifacts?: StoredArtifact[] }>
  /** The integrity of a plugin package (`sha512-…`), for cache keys of its stages. */
  pluginIntegrity(pluginId: string): Promise<string | undefined>
  /** Who started the run (recorded on it): approvals by the same person may not count. */
  triggeredBy?: string
  /** `--no-wait`: a deploy inside a freeze window fails instead of waiting for it to end. */
  noWait?: boolean
  /** The engine's deployer (`DEPLOYER`), resolved when a deploy stage first needs it; undefined when none is registered. */
  deployer(): Deployer | undefined
  /** Asks every waiting stage of every run in this engine to check again now (a lock was released). */
  wakeAll(): void
}

/** One run as the kernel sees it: every stage's lifecycle reads from and reports to this. */
export class RunSession {
  readonly runId: string
  /** Aborted when the run is cancelled (by the user, fail-fast, or a store failure). */
  private readonly controller = new AbortController()
  readonly wakers = new Wakers()
  /** Why the run was cancelled, if it was. */
  cancelReason: string | undefined

  constructor(readonly input: RunSessionInput) {
    this.runId = input.runId
    // Every running stage listens to this signal, and a run may run any number of stages at once.
    setMaxListeners(0, this.controller.signal)
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  get clock(): Clock {
    return this.input.clock
  }

  get redact(): Redactor {
    return this.input.redact
  }

  cancel(reason: string): void {
    if (this.controller.signal.aborted) return
    this.cancelReason = reason
    this.controller.abort(reason)
    this.wakers.wakeAll()
  }

  /** Emits an event of this run: stamped with the run id and the engine clock's time. */
  emit<K extends keyof PipewrightEvents>(name: K, payload: EventInput<K>): void {
    this.input.bus.emit(name, { ...payload, runId: this.runId, at: this.input.clock.now() } as PipewrightEvents[K])
  }

  /** A line of a stage's log: redacted before anyone (the store, the terminal) sees it. */
  log(stageId: string, stream: 'stdout' | 'stderr' | 'system', line: string): void {
    // The hottest path of a chatty stage: build the payload directly rather than through emit().
    this.input.bus.emit('stage:log', { runId: this.runId, stageId, stream, line: this.input.redact(line), at: this.input.clock.now() })
  }

  artifactStored(stageId: string, a: StoredArtifact): void {
    this.emit('artifact:stored', { stageId, path: a.path, digest: a.digest, size: a.size })
  }
}
