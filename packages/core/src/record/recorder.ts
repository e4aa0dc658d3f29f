import { hostname } from 'node:os'
import { PipewrightError, isPipewrightError, type Clock, type EventName, type PipewrightEvents } from '@pipewright/plugin-api'
import type { HealthRecord, LogLine, RunRecord, StageRecord, Store, StoredEvent } from '@pipewright/store-api'
import type { EventBus } from '../engine/event-bus.js'
import { LogCap } from './log-cap.js'

export interface RecorderOptions {
  store: Store
  runId: string
  pipeline: string
  clock: Clock
  /** Where numbering and stage states continue from (a resumed run); fresh runs start empty. */
  start?: { logSeq: number; eventSeq: number; stages: StageRecord[]; resumes: number }
  /** Bytes of log kept per stage; the rest is counted, not stored. */
  logLimitBytes: number
  /** How often the run's heartbeat is written while it runs. */
  heartbeatMs: number
  /** Called once when the store refuses a write: the run cannot be recorded any more. */
  onFailure(error: PipewrightError): void
}

/** The one writer of a run's records. */
export interface RunRecorder {
  /** Starts deriving records from the run's events on `bus`. */
  attach(bus: EventBus): this
  createRun(run: RunRecord): Promise<void>
  /** A plugin's structured record (`ctx.records.save`); resolves once it is readable. */
  saveRecord(stageId: string, kind: string, data: unknown): Promise<void>
  /** The store error that stopped recording, if any. */
  readonly failure: PipewrightError | undefined
  /** Detaches, writes everything pending and flushes the store. */
  close(): Promise<void>
}

export type RecorderFactory = (options: RecorderOptions) => RunRecorder

export const createRecorder: RecorderFactory = (options) => new EventRecorder(options)

/** Up to this many characters of consecutive lines share one stored log record. */
const LOG_RECORD_CHARS = 64 * 1024

/**
 * Derives a run's stored records — the run, its stages, logs, event journal, artifacts, cache
 * entries and deployment records — from the run's events, and is the only code that writes them. Writes go to the store
 * in the order the events happened, one after another; log lines and journal entries are batched.
 */
class EventRecorder implements RunRecorder {
  private readonly stages = new Map<string, StageRecord>()
  private readonly unsubscribe: Array<() => void> = []
  private readonly waiting = new Map<string, string>()
  private readonly logCap: LogCap
  private logSeq: number
  private eventSeq: number
  private logs: LogLine[] = []
  private events: StoredEvent[] = []
  private flushScheduled = false
  private chain: Promise<void> = Promise.resolve()
  private heartbeat: NodeJS.Timeout | undefined
  failure: PipewrightError | undefined

  constructor(private readonly options: RecorderOptions) {
    this.logSeq = options.start?.logSeq ?? 0
    this.eventSeq = options.start?.eventSeq ?? 0
    for (const s of options.start?.stages ?? []) this.stages.set(s.stageId, s)
    this.logCap = new LogCap(options.logLimitBytes)
  }

  attach(bus: EventBus): this {
    const { runId } = this.options
    this.unsubscribe.push(
      bus.onAny((name, payload) => {
        if ((payload as { runId?: string } | null)?.runId !== runId) return
        if (name === 'stage:log') this.log(payload as PipewrightEvents['stage:log'])
        else this.journal(name, payload)
        const handler = this.handlers[name as keyof PipewrightEvents] as ((p: unknown) => void) | undefined
        handler?.(payload)
      }),
    )
    return this
  }

  createRun(run: RunRecord): Promise<void> {
    return this.write(() => this.options.store.createRun(run))
  }

  saveRecord(stageId: string, kind: string, data: unknown): Promise<void> {
    const { runId, pipeline, clock, store } = this.options
    return this.write(() => store.saveRecord(pipeline, { runId, stageId, kind, data, createdAt: clock.now() }))
  }

  async close(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off()
    this.stopHeartbeat()
    this.flushBatches()
    await this.chain
    if (!this.failure) await this.options.store.flush().catch((error) => this.fail(error))
  }

  private readonly handlers: { [K in EventName]?: (p: PipewrightEvents[K]) => void } = {
    'run:started': (p) => {
      // A resumed run keeps its first start; this process owns it now.
      if (p.resumed) this.updateRun({ status: 'running', heartbeatAt: p.at, pid: process.pid, host: hostname(), resumes: (this.options.start?.resumes ?? 0) + 1 })
      else this.updateRun({ status: 'running', startedAt: p.at, heartbeatAt: p.at })
      this.startHeartbeat()
    },
    'run:finished': (p) => {
      this.stopHeartbeat()
      this.updateRun({ status: p.status, finishedAt: p.at, heartbeatAt: p.at, waiting: undefined })
    },
    'stage:started': (p) => {
      const s = this.stage(p.stageId)
      Object.assign(s, { status: 'running', attempts: p.attempt, ...(s.startedAt === undefined || p.attempt === 1 ? { startedAt: p.at } : {}) })
      delete s.waiting
      this.putStage(s)
    },
    'stage:attempted': (p) => {
      this.putStage(Object.assign(this.stage(p.stageId), { attempts: p.attempt, exitCode: p.exitCode, outputs: p.outputs }))
    },
    'stage:waiting': (p) => {
      const s = this.stage(p.stageId)
      s.status = 'waiting'
      s.waiting = { reason: p.reason, kind: p.kind, since: p.since, phase: p.phase, hook: p.hook, ...(p.deadline !== undefined ? { deadline: p.deadline } : {}) }
      s.startedAt ??= p.at
      this.putStage(s)
      this.setWaiting(p.stageId, p.reason)
    },
    'stage:wait-ended': (p) => {
      const s = this.stage(p.stageId)
      if (p.outcome === 'continued') s.status = 'running'
      delete s.waiting
      this.putStage(s)
      this.setWaiting(p.stageId, undefined)
    },
    'stage:finished': (p) => {
      const s = this.stage(p.stageId)
      Object.assign(s, { status: p.status, attempts: p.attempts, exitCode: p.exitCode, finishedAt: p.at, durationMs: p.durationMs, outputs: p.outputs })
      for (const [key, value] of [['error', p.error], ['summary', p.summary]] as const) {
        if (value === undefined) delete s[key]
        else Object.assign(s, { [key]: value })
      }
      delete s.waiting
      this.putStage(s)
      this.setWaiting(p.stageId, undefined)
      this.logCap.finish(p.stageId, (line) => this.appendLog(p.stageId, 'system', line, p.at))
    },
    'gate:evaluated': (p) => {
      const s = this.stage(p.stageId)
      s.gates = [...(s.gates ?? []).filter((g) => g.gate !== p.gate), { gate: p.gate, verdict: p.verdict, reason: p.reason, evidence: p.evidence }]
      this.putStage(s)
    },
    'cache:hit': (p) => {
      this.stage(p.stageId).cacheKey = p.key
      // The records the cached run saved (test results, lint problems) belong to this run too:
      // history-based gates and reports would otherwise see a hole wherever the cache served.
      const { store, pipeline, runId } = this.options
      void this.write(() => store.copyStageRecords(pipeline, { runId: p.fromRunId, stageId: p.stageId }, { runId, stageId: p.stageId }, p.at))
    },
    'cache:saved': (p) => {
      this.stage(p.stageId).cacheKey = p.key
      const entry = { key: p.key, runId: p.runId, stageId: p.stageId, outputs: p.outputs, artifacts: p.artifacts, ...(p.summary !== undefined ? { summary: p.summary } : {}), ...(p.gates ? { gates: p.gates } : {}), createdAt: p.at }
      void this.write(() => this.options.store.putCache(entry))
    },
    'deploy:finished': (p) => {
      const { deploymentId, runId, stageId, at: _at, ...fields } = p
      const deployment = { id: deploymentId, runId, stageId, ...fields }
      void this.write(() => this.options.store.addDeployment(deployment))
      // A rollback that worked marks what it replaced; the replaced record is another run's, written long ago.
      if (p.kind === 'rollback' && p.outcome === 'succeeded' && p.replaces) {
        const replaced = p.replaces
        void this.write(() => this.options.store.markDeploymentRolledBack(replaced, deploymentId).catch(() => undefined))
      }
    },
    'deploy:rolled-back': (p) => {
      // The bad deployment keeps why it was rolled back: the reason and the evidence.
      const { store } = this.options
      void this.write(async () => {
        const found = await store.getDeployment(p.deploymentId)
        if (found) await store.addDeployment({ ...found, outcome: 'rolled-back', rolledBackBy: p.rollbackId, verification: { reason: p.reason, evidence: p.evidence } })
      })
    },
    'monitor:sample': (p) => {
      if (!p.environment) return
      const record: HealthRecord = { environment: p.environment, at: p.at, source: p.source ?? 'analysis', kind: 'sample', healthy: p.healthy, monitor: p.monitor, values: p.values, ...(p.reason !== undefined ? { reason: p.reason } : {}), runId: p.runId, stageId: p.stageId }
      void this.write(() => this.options.store.addHealthRecords([record]))
    },
    'analysis:finished': (p) => {
      if (!p.environment) return
      const record: HealthRecord = { environment: p.environment, at: p.at, source: p.source, kind: 'verdict', healthy: p.verdict === 'successful', verdict: p.verdict, advisory: p.advisory, reason: p.reason, runId: p.runId, stageId: p.stageId }
      void this.write(() => this.options.store.addHealthRecords([record]))
    },
    'artifact:stored': (p) => {
      const artifact = { runId: p.runId, stageId: p.stageId, path: p.path, digest: p.digest, size: p.size, createdAt: p.at }
      void this.write(() => this.options.store.addArtifact(artifact))
    },
  }

  private stage(stageId: string): StageRecord {
    let s = this.stages.get(stageId)
    if (!s) {
      s = { runId: this.options.runId, stageId, status: 'pending', attempts: 0, exitCode: null, outputs: {} }
      this.stages.set(stageId, s)
    }
    return s
  }

  private putStage(stage: StageRecord): void {
    const copy = { ...stage }
    void this.write(() => this.options.store.putStage(copy))
  }

  private updateRun(patch: Partial<RunRecord>): void {
    void this.write(() => this.options.store.updateRun(this.options.runId, patch))
  }

  /** The run shows what one of its waiting stages waits for (the most recent). */
  private setWaiting(stageId: string, reason: string | undefined): void {
    const before = [...this.waiting.values()].at(-1)
    this.waiting.delete(stageId)
    if (reason !== undefined) this.waiting.set(stageId, `${stageId}: ${reason}`)
    const after = [...this.waiting.values()].at(-1)
    if (after !== before) this.updateRun({ waiting: after })
  }

  private log(p: PipewrightEvents['stage:log']): void {
    const kept = this.logCap.admit(p.stageId, p.line, (marker) => this.appendLog(p.stageId, 'system', marker, p.at))
    if (kept) this.appendLog(p.stageId, p.stream, p.line, p.at)
  }

  /**
   * Consecutive lines of one stage and stream, written in the same turn, share one stored record
   * (joined by newlines, up to 64 KiB): a stage printing a million lines is a few thousand rows.
   * The read API hands them back line by line.
   */
  private appendLog(stageId: string, stream: LogLine['stream'], line: string, at: number): void {
    const last = this.logs[this.logs.length - 1]
    if (last && last.stageId === stageId && last.stream === stream && last.line.length + line.length < LOG_RECORD_CHARS) last.line += `\n${line}`
    else this.logs.push({ runId: this.options.runId, stageId, seq: ++this.logSeq, stream, line, at })
    this.scheduleFlush()
  }

  private journal(type: string, payload: unknown): void {
    const at = (payload as { at?: number }).at ?? this.options.clock.now()
    this.events.push({ runId: this.options.runId, seq: ++this.eventSeq, type, payload, at })
    this.scheduleFlush()
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => this.flushBatches())
  }

  /** Queues the batched log lines and journal entries, keeping them in order with other writes. */
  private flushBatches(): void {
    this.flushScheduled = false
    if (this.logs.length > 0) {
      const lines = this.logs
      this.logs = []
      this.enqueue(() => this.options.store.appendLogs(lines))
    }
    if (this.events.length > 0) {
      const events = this.events
      this.events = []
      this.enqueue(() => this.options.store.appendEvents(events))
    }
  }

  /** A write after everything pending; resolves when it is done (rejects if the store failed). */
  private write(op: () => Promise<unknown>): Promise<void> {
    this.flushBatches()
    return this.enqueue(op)
  }

  private enqueue(op: () => Promise<unknown>): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.failure) throw this.failure
      try {
        await op()
      } catch (error) {
        throw this.fail(error)
      }
    })
    this.chain = next.catch(() => undefined)
    return next
  }

  private fail(error: unknown): PipewrightError {
    if (this.failure) return this.failure
    this.failure = isPipewrightError(error) && error.code === 'PW_ERR_STORE'
      ? error
      : new PipewrightError('PW_ERR_STORE', `The store refused a write: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    this.stopHeartbeat()
    this.options.onFailure(this.failure)
    return this.failure
  }

  private startHeartbeat(): void {
    this.stopHeartbeat()
    this.heartbeat = setInterval(() => this.updateRun({ heartbeatAt: this.options.clock.now() }), this.options.heartbeatMs)
    this.heartbeat.unref()
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.heartbeat = undefined
  }
}
