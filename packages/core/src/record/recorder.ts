import type { EventName, PipewrightEvents } from '@pipewright/plugin-api'
import type { EventBus } from '../engine/event-bus.js'
import type { LogLine, StageRecord, Store, StoredEvent } from '@pipewright/store-api'

/**
 * Persists one run's events as they happen: stage states, logs, the event journal.
 * It is just a listener on the bus, like the CLI renderer.
 */
export class RunRecorder {
  private readonly stages = new Map<string, StageRecord>()
  private readonly unsubscribe: Array<() => void> = []
  private logSeq: number
  private eventSeq: number
  private pending: Array<Promise<unknown>> = []

  constructor(
    private readonly store: Store,
    private readonly runId: string,
    start: { logSeq: number; eventSeq: number; stages: StageRecord[] },
  ) {
    this.logSeq = start.logSeq
    this.eventSeq = start.eventSeq
    for (const s of start.stages) this.stages.set(s.stageId, s)
  }

  attach(bus: EventBus): this {
    const on = <K extends EventName>(name: K, fn: (p: PipewrightEvents[K]) => void) => {
      const listener = (p: PipewrightEvents[K]) => {
        if ((p as { runId?: string }).runId === this.runId) fn(p)
      }
      bus.on(name, listener as never)
      this.unsubscribe.push(() => bus.off(name, listener as never))
    }
    // Every event of this run goes to the journal (plugins' own too); log lines are kept apart.
    this.unsubscribe.push(
      bus.onAny((name, payload) => {
        if (name !== 'stage:log' && (payload as { runId?: string } | null)?.runId === this.runId) this.event(name, payload)
      }),
    )
    on('stage:started', (p) => {
      const s = this.stage(p.stageId)
      Object.assign(s, { status: 'running', attempts: p.attempt, ...(s.startedAt === undefined || p.attempt === 1 ? { startedAt: p.at } : {}) })
      this.write(this.store.putStage({ ...s }))
    })
    on('stage:finished', (p) => {
      const s = this.stage(p.stageId)
      Object.assign(s, { status: p.status, attempts: p.attempts, exitCode: p.exitCode, finishedAt: p.at, durationMs: p.durationMs, outputs: p.outputs })
      if (p.error) s.error = p.error
      else delete s.error
      this.write(this.store.putStage({ ...s }))
    })
    on('gate:evaluated', (p) => {
      const s = this.stage(p.stageId)
      s.gates = [...(s.gates ?? []).filter((g) => g.gate !== p.gate), { gate: p.gate, verdict: p.verdict, reason: p.reason, evidence: p.evidence }]
    })
    on('stage:log', (p) => {
      const line: LogLine = { runId: p.runId, stageId: p.stageId, seq: ++this.logSeq, stream: p.stream, line: p.line, at: p.at }
      this.write(this.store.appendLogs([line]))
    })
    return this
  }

  summary(stageId: string, text: string): void {
    this.stage(stageId).summary = text
  }

  private stage(stageId: string): StageRecord {
    let s = this.stages.get(stageId)
    if (!s) {
      s = { runId: this.runId, stageId, status: 'pending', attempts: 0, exitCode: null, outputs: {} }
      this.stages.set(stageId, s)
    }
    return s
  }

  private event(type: string, payload: unknown): void {
    const e: StoredEvent = { runId: this.runId, seq: ++this.eventSeq, type, payload, at: (payload as { at?: number }).at ?? Date.now() }
    this.write(this.store.appendEvents([e]))
  }

  private write(p: Promise<unknown>): void {
    this.pending.push(p)
    if (this.pending.length > 256) this.pending = [Promise.all(this.pending)]
  }

  /** Waits for every write so far, detaches, and flushes the store. */
  async close(): Promise<void> {
    for (const off of this.unsubscribe) off()
    await Promise.all(this.pending)
    await this.store.flush()
  }
}
