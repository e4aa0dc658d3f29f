import type { GateView, LogLine, RunSummary, StageView, StreamEvent } from './types.js'

/** Most lines kept per stage in the page; older ones are dropped (counted) to bound memory. */
export const MAX_LINES_PER_STAGE = 20_000

export interface StageLog {
  lines: LogLine[]
  dropped: number
}

/**
 * A run as the page shows it. Applying events replaces only the objects that changed (a stage, its
 * log), so components keyed by stage id and memoized on identity re-render only what moved.
 */
export interface RunState {
  run: RunSummary
  stages: Map<string, StageView>
  /** Stage ids in the server's order (the DAG's structure only changes when stages appear). */
  order: string[]
  logs: Map<string, StageLog>
  /** Bumped when a stage is added, so the graph is laid out again. */
  structure: number
  lastEventId?: string
}

export function createRunState(run: RunSummary, stages: StageView[]): RunState {
  return {
    run,
    stages: new Map(stages.map((s) => [s.id, s])),
    order: stages.map((s) => s.id),
    logs: new Map(),
    structure: 0,
  }
}

/** Applies a batch of events (one animation frame's worth) and returns the next state. */
export function applyEvents(prev: RunState, events: StreamEvent[]): RunState {
  if (events.length === 0) return prev
  const next: RunState = { ...prev, stages: new Map(prev.stages), logs: new Map(prev.logs), order: prev.order }
  const touchedLogs = new Set<string>()
  for (const ev of events) {
    if (ev.id !== undefined) next.lastEventId = ev.id
    applyOne(next, ev, touchedLogs)
  }
  return next
}

function stageOf(state: RunState, id: string): StageView {
  const existing = state.stages.get(id)
  if (existing) return existing
  state.order = [...state.order, id]
  state.structure++
  const created: StageView = { id, needs: [], status: 'pending' }
  state.stages.set(id, created)
  return created
}

function patchStage(state: RunState, id: string, patch: Partial<StageView>): void {
  state.stages.set(id, { ...stageOf(state, id), ...patch })
}

function applyOne(state: RunState, ev: StreamEvent, touchedLogs: Set<string>): void {
  const d = ev.data ?? {}
  const stageId: string | undefined = typeof d.stageId === 'string' ? d.stageId : undefined
  switch (ev.event) {
    case 'run:started':
      state.run = { ...state.run, status: 'running', startedAt: state.run.startedAt ?? d.at }
      break
    case 'run:finished':
      state.run = { ...state.run, status: d.status ?? state.run.status, durationMs: d.durationMs, finishedAt: d.at }
      break
    case 'stage:started':
      if (stageId) patchStage(state, stageId, { status: 'running', startedAt: d.at, finishedAt: undefined, waiting: undefined })
      break
    case 'stage:waiting':
      if (stageId) patchStage(state, stageId, { status: 'waiting', waiting: { kind: d.kind, reason: d.reason, since: d.since, deadline: d.deadline } })
      break
    case 'stage:wait-ended':
      if (stageId) {
        const s = stageOf(state, stageId)
        patchStage(state, stageId, { waiting: undefined, status: s.status === 'waiting' ? 'running' : s.status })
      }
      break
    case 'stage:finished':
      if (stageId)
        patchStage(state, stageId, {
          status: d.status,
          durationMs: d.durationMs,
          finishedAt: d.at,
          waiting: undefined,
          summary: d.summary,
          error: d.error,
        })
      break
    case 'gate:evaluated':
      if (stageId) {
        const s = stageOf(state, stageId)
        const gate: GateView = { uses: d.gate ?? d.uses, verdict: d.verdict, reason: d.reason, evidence: d.evidence }
        const gates = (s.gates ?? []).filter((g) => g.uses !== gate.uses)
        patchStage(state, stageId, { gates: [...gates, gate] })
      }
      break
    case 'stage:log':
      for (const line of logLinesOf(d)) appendLog(state, line, touchedLogs)
      break
    default:
      break
  }
}

/**
 * A `stage:log` event carries one stored record: `lines` (strings; one record may hold several
 * lines) with `stageId`, `stream`, `ts`; a single `line` or `text` is read too.
 */
function logLinesOf(d: any): LogLine[] {
  if (typeof d?.stageId !== 'string') return []
  const base = { stageId: d.stageId as string, stream: String(d.stream ?? 'stdout'), ts: d.ts ?? d.at, seq: d.seq }
  if (Array.isArray(d.lines)) return d.lines.map((l: any) => (typeof l === 'string' ? { ...base, text: l } : { ...base, stream: String(l?.stream ?? base.stream), text: String(l?.text ?? l?.line ?? '') }))
  return [{ ...base, text: String(d.text ?? d.line ?? '') }]
}

function appendLog(state: RunState, line: LogLine, touched: Set<string>): void {
  let log = state.logs.get(line.stageId)
  if (!touched.has(line.stageId)) {
    // One copy per stage per batch: later lines of the same batch append in place.
    log = log ? { lines: log.lines.slice(), dropped: log.dropped } : { lines: [], dropped: 0 }
    state.logs.set(line.stageId, log)
    touched.add(line.stageId)
  }
  log!.lines.push(line)
  if (log!.lines.length > MAX_LINES_PER_STAGE) {
    const extra = log!.lines.length - MAX_LINES_PER_STAGE
    log!.lines.splice(0, extra)
    log!.dropped += extra
  }
}

/**
 * Collects events and hands them over once per frame (`schedule` is requestAnimationFrame in the
 * page), so 200 stages finishing in a burst cost one render, not 200.
 */
export class FrameBatcher<T> {
  private queue: T[] = []
  private scheduled = false
  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly schedule: (cb: () => void) => void,
  ) {}

  push(item: T): void {
    this.queue.push(item)
    if (this.scheduled) return
    this.scheduled = true
    this.schedule(() => {
      this.scheduled = false
      const items = this.queue
      this.queue = []
      if (items.length) this.flush(items)
    })
  }
}

/**
 * Takes a fresh `GET /api/runs/:id` (the polling fallback when the server has no event stream):
 * a stage keeps its object when nothing it shows changed, so unchanged nodes do not re-render.
 */
export function mergeDetail(prev: RunState, run: RunSummary, stages: StageView[]): RunState {
  const next: RunState = { ...prev, run, stages: new Map(prev.stages) }
  const known = new Set(prev.order)
  for (const s of stages) {
    const old = prev.stages.get(s.id)
    if (!old || stageKey(old) !== stageKey(s)) next.stages.set(s.id, s)
    if (!known.has(s.id)) {
      next.order = [...next.order, s.id]
      next.structure++
    }
  }
  return next
}

function stageKey(s: StageView): string {
  return JSON.stringify([s.status, s.durationMs, s.waiting, s.gates, s.summary, s.error, s.needs])
}

/** Log lines fetched with `GET /api/runs/:id/logs` appended to a stage's log (polling fallback). */
export function appendFetchedLogs(prev: RunState, stageId: string, lines: LogLine[]): RunState {
  if (lines.length === 0) return prev
  const next: RunState = { ...prev, logs: new Map(prev.logs) }
  const touched = new Set<string>()
  for (const l of lines) appendLog(next, { ...l, stageId }, touched)
  return next
}
