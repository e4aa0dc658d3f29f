import type { Store } from '@pipewright/store-api'
import { loadReviewData, LINT_PROBLEMS, TEST_RESULTS, type ReviewData } from './review-data.js'
import { suggest, type Suggestion } from './suggestions.js'
import { median, weeksOf, type TimeWindow } from './window.js'

export interface StageTiming {
  stageId: string
  runs: number
  totalMs: number
  medianMs: number
  /** Median of the first and second half of the window, when each half ran it. */
  trend?: { earlierMs: number; laterMs: number; change: number }
  /** Median per week of the window (undefined: it did not run that week). */
  weekly: Array<{ week: string; medianMs?: number }>
}

export interface WaitTotals {
  kind: string
  waits: number
  totalMs: number
  medianMs: number
  byStage: Array<{ stageId: string; waits: number; totalMs: number }>
}

export interface CacheFigures {
  stageId: string
  hits: number
  misses: number
  hitRate?: number
  /** Time the hits did not spend: the duration of the stage in the run that made each entry. */
  savedMs: number
  /** Runs that ran it again with the inputs of an earlier success (same cache key, else same commit). */
  rerunsUnchanged: number
  rerunMs: number
}

export interface FlakyTest {
  id: string
  /** Runs in which it was flaky (failed then passed on retry, or failed where the same commit passed). */
  runs: number
  stages: string[]
}

export type FailureClass = 'tests' | 'lint' | 'infrastructure' | 'timeout' | 'verification' | 'command'

export interface FailureCause {
  class: FailureClass
  count: number
  stages: Array<{ stageId: string; count: number }>
  codes: string[]
}

export interface ProcessReview {
  window: TimeWindow
  pipeline?: string
  runs: number
  slowestStages: StageTiming[]
  waiting: WaitTotals[]
  cache: CacheFigures[]
  cacheTotals: { hits: number; misses: number; hitRate?: number; savedMs: number }
  flakyTests: FlakyTest[]
  failures: FailureCause[]
  cpuByStage: Array<{ stageId: string; cpuMs: number; attempts: number }>
  suggestions: Suggestion[]
}

const RAN = new Set(['succeeded', 'failed'])

/** A process review of the runs created in the window: where time goes, what fails, and what to change. */
export async function computeReview(store: Store, options: { window: TimeWindow; pipeline?: string }): Promise<ProcessReview> {
  const data = await loadReviewData(store, options.window, options.pipeline)
  return reviewOf(data, options.pipeline)
}

export function reviewOf(data: ReviewData, pipeline?: string): ProcessReview {
  const cache = cacheFigures(data)
  const hits = cache.reduce((n, c) => n + c.hits, 0)
  const misses = cache.reduce((n, c) => n + c.misses, 0)
  const review: Omit<ProcessReview, 'suggestions'> = {
    window: data.window,
    ...(pipeline ? { pipeline } : {}),
    runs: data.runs.length,
    slowestStages: stageTimings(data),
    waiting: waitTotals(data),
    cache,
    cacheTotals: { hits, misses, ...(hits + misses > 0 ? { hitRate: hits / (hits + misses) } : {}), savedMs: cache.reduce((n, c) => n + c.savedMs, 0) },
    flakyTests: flakyTests(data),
    failures: failureCauses(data),
    cpuByStage: cpuByStage(data),
  }
  return { ...review, suggestions: suggest(review) }
}

function stageTimings(data: ReviewData): StageTiming[] {
  const mid = (data.window.from + data.window.to) / 2
  const byStage = new Map<string, Array<{ at: number; ms: number }>>()
  for (const { run, stages } of data.runs) {
    for (const s of stages) {
      if (!RAN.has(s.status) || s.durationMs === undefined) continue
      const list = byStage.get(s.stageId) ?? []
      list.push({ at: s.startedAt ?? run.createdAt, ms: s.durationMs })
      byStage.set(s.stageId, list)
    }
  }
  const weeks = weeksOf(data.window)
  const timings = [...byStage].map(([stageId, list]): StageTiming => {
    const earlier = median(list.filter((x) => x.at < mid).map((x) => x.ms))
    const later = median(list.filter((x) => x.at >= mid).map((x) => x.ms))
    return {
      stageId,
      runs: list.length,
      totalMs: list.reduce((n, x) => n + x.ms, 0),
      medianMs: median(list.map((x) => x.ms))!,
      ...(earlier !== undefined && later !== undefined ? { trend: { earlierMs: earlier, laterMs: later, change: earlier > 0 ? later / earlier - 1 : 0 } } : {}),
      weekly: weeks.map((w) => {
        const m = median(list.filter((x) => x.at >= w && x.at < w + 7 * 86_400_000).map((x) => x.ms))
        return { week: new Date(w).toISOString().slice(0, 10), ...(m !== undefined ? { medianMs: m } : {}) }
      }),
    }
  })
  return timings.sort((a, b) => b.medianMs - a.medianMs || a.stageId.localeCompare(b.stageId))
}

function waitTotals(data: ReviewData): WaitTotals[] {
  const waits: Array<{ kind: string; stageId: string; ms: number }> = []
  for (const { run, events } of data.runs) {
    // Queue time: a run that waited for a free slot (maxRuns reached), from creation to start.
    if (run.startedAt !== undefined && events.some((e) => e.type === 'run:queued')) waits.push({ kind: 'queue', stageId: '(run)', ms: run.startedAt - run.createdAt })
    for (const e of events) {
      if (e.type !== 'stage:wait-ended') continue
      const p = e.payload as { stageId: string; kind: string; waitedMs: number }
      waits.push({ kind: p.kind, stageId: p.stageId, ms: p.waitedMs })
    }
  }
  const kinds = [...new Set(waits.map((w) => w.kind))]
  return kinds
    .map((kind): WaitTotals => {
      const of = waits.filter((w) => w.kind === kind)
      const stages = [...new Set(of.map((w) => w.stageId))]
      return {
        kind,
        waits: of.length,
        totalMs: of.reduce((n, w) => n + w.ms, 0),
        medianMs: median(of.map((w) => w.ms))!,
        byStage: stages.map((stageId) => ({ stageId, waits: of.filter((w) => w.stageId === stageId).length, totalMs: of.filter((w) => w.stageId === stageId).reduce((n, w) => n + w.ms, 0) })).sort((a, b) => b.totalMs - a.totalMs),
      }
    })
    .sort((a, b) => b.totalMs - a.totalMs)
}

function cacheFigures(data: ReviewData): CacheFigures[] {
  const durations = new Map<string, number>()
  for (const { run, stages } of data.runs) for (const s of stages) if (s.durationMs !== undefined && RAN.has(s.status)) durations.set(`${run.id}/${s.stageId}`, s.durationMs)
  const figures = new Map<string, CacheFigures>()
  const seen = new Map<string, Set<string>>()
  const of = (stageId: string) => figures.get(stageId) ?? figures.set(stageId, { stageId, hits: 0, misses: 0, savedMs: 0, rerunsUnchanged: 0, rerunMs: 0 }).get(stageId)!
  for (const { run, stages, events } of data.runs) {
    for (const s of stages) {
      if (s.status === 'cached') {
        const f = of(s.stageId)
        f.hits++
        const hit = events.find((e) => e.type === 'cache:hit' && (e.payload as { stageId: string }).stageId === s.stageId)?.payload as { fromRunId?: string } | undefined
        f.savedMs += (hit?.fromRunId ? durations.get(`${hit.fromRunId}/${s.stageId}`) : undefined) ?? 0
        continue
      }
      if (!RAN.has(s.status)) continue
      if (s.cacheKey) of(s.stageId).misses++
      // The same inputs as an earlier success: its cache key, or, for a stage without a cache, the commit.
      const inputs = s.cacheKey ? `key:${s.cacheKey}` : run.sha ? `sha:${run.sha}` : undefined
      if (!inputs) continue
      const done = seen.get(s.stageId) ?? seen.set(s.stageId, new Set()).get(s.stageId)!
      if (done.has(inputs)) {
        const f = of(s.stageId)
        f.rerunsUnchanged++
        f.rerunMs += s.durationMs ?? 0
      }
      if (s.status === 'succeeded') done.add(inputs)
    }
  }
  return [...figures.values()].map((f) => ({ ...f, ...(f.hits + f.misses > 0 ? { hitRate: f.hits / (f.hits + f.misses) } : {}) })).sort((a, b) => b.rerunMs - a.rerunMs || a.stageId.localeCompare(b.stageId))
}

function flakyTests(data: ReviewData): FlakyTest[] {
  const found = new Map<string, { runs: Set<string>; stages: Set<string> }>()
  const note = (id: string, runId: string, stageId: string) => {
    const f = found.get(id) ?? found.set(id, { runs: new Set(), stages: new Set() }).get(id)!
    f.runs.add(runId)
    f.stages.add(stageId)
  }
  const results = data.records.filter((r) => r.kind === TEST_RESULTS)
  const passedOn = new Set(results.filter((r) => (r.data as { failed: number }).failed === 0 && r.sha).map((r) => `${r.sha}/${r.stageId}`))
  for (const r of results) {
    const d = r.data as { flakyTests?: Array<{ id: string }>; failures?: Array<{ id: string }> }
    for (const t of d.flakyTests ?? []) note(t.id, r.runId, r.stageId)
    // Failed on a commit where the same stage passed in another run: nothing changed but luck.
    if (r.sha && passedOn.has(`${r.sha}/${r.stageId}`)) for (const t of d.failures ?? []) note(t.id, r.runId, r.stageId)
  }
  return [...found].map(([id, f]) => ({ id, runs: f.runs.size, stages: [...f.stages].sort() })).sort((a, b) => b.runs - a.runs || a.id.localeCompare(b.id))
}

const INFRASTRUCTURE = /^PW_ERR_(AGENT_UNAVAILABLE|ENVIRONMENT_|STORE|PLUGIN_|SERVICE_|INTERNAL|TARGET_NOT_FOUND|[A-Z]+_(UNAVAILABLE|CONNECT|NETWORK|DAEMON))/

function classify(data: ReviewData, runId: string, stage: { stageId: string; exitCode: number | null; error?: { code: string }; gates?: Array<{ verdict: string }> }): FailureClass {
  const code = stage.error?.code ?? ''
  if (code === 'PW_ERR_TIMEOUT' || code === 'PW_ERR_WAIT_TIMEOUT') return 'timeout'
  const records = data.records.filter((r) => r.runId === runId && r.stageId === stage.stageId)
  if (records.some((r) => r.kind === TEST_RESULTS && (r.data as { failed: number }).failed > 0)) return 'tests'
  if (records.some((r) => r.kind === LINT_PROBLEMS && (r.data as { errors: number }).errors > 0)) return 'lint'
  const deployed = data.deployments.some((d) => d.runId === runId && d.stageId === stage.stageId)
  if (deployed && (code === 'PW_ERR_GATE_FAILED' || code === 'PW_ERR_DEPLOYMENT_FAILED' || (stage.gates ?? []).some((g) => g.verdict === 'fail'))) return 'verification'
  if (INFRASTRUCTURE.test(code) || stage.exitCode === 127) return 'infrastructure'
  return 'command'
}

function failureCauses(data: ReviewData): FailureCause[] {
  const causes = new Map<FailureClass, { count: number; stages: Map<string, number>; codes: Set<string> }>()
  for (const { run, stages } of data.runs) {
    for (const s of stages) {
      if (s.status !== 'failed') continue
      const cls = classify(data, run.id, s)
      const c = causes.get(cls) ?? causes.set(cls, { count: 0, stages: new Map(), codes: new Set() }).get(cls)!
      c.count++
      c.stages.set(s.stageId, (c.stages.get(s.stageId) ?? 0) + 1)
      if (s.error?.code) c.codes.add(s.error.code)
    }
  }
  return [...causes]
    .map(([cls, c]): FailureCause => ({ class: cls, count: c.count, stages: [...c.stages].map(([stageId, count]) => ({ stageId, count })).sort((a, b) => b.count - a.count), codes: [...c.codes].sort() }))
    .sort((a, b) => b.count - a.count || a.class.localeCompare(b.class))
}

function cpuByStage(data: ReviewData): ProcessReview['cpuByStage'] {
  const cpu = new Map<string, { cpuMs: number; attempts: number }>()
  for (const { events } of data.runs) {
    for (const e of events) {
      if (e.type !== 'stage:attempted') continue
      const p = e.payload as { stageId: string; cpuMs?: number }
      if (p.cpuMs === undefined) continue
      const c = cpu.get(p.stageId) ?? cpu.set(p.stageId, { cpuMs: 0, attempts: 0 }).get(p.stageId)!
      c.cpuMs += p.cpuMs
      c.attempts++
    }
  }
  return [...cpu].map(([stageId, c]) => ({ stageId, ...c })).sort((a, b) => b.cpuMs - a.cpuMs || a.stageId.localeCompare(b.stageId))
}
