import type { AnalysisVerdict, EvidenceSample, MonitorHandle, MonitorSample } from '@pipewright/plugin-api'
import { startMonitor } from '../kernel/monitors.js'
import type { StageRun } from '../kernel/stage-run.js'
import type { MonitorRef } from '../pipeline/environment-schema.js'
import { judgeSample, Tally, type JudgeSpec } from './judge.js'

export interface AnalysisRunSpec extends JudgeSpec {
  monitors: MonitorRef[]
  interval?: number | undefined
}

/** Names monitors by their `name:`, else their type — numbered when a type repeats (`monitoring/http#2`). */
export function monitorNames(monitors: readonly MonitorRef[]): string[] {
  const seen = new Map<string, number>()
  return monitors.map((m) => {
    if (m.name) return m.name
    const n = (seen.get(m.uses) ?? 0) + 1
    seen.set(m.uses, n)
    return n === 1 ? m.uses : `${m.uses}#${n}`
  })
}

/**
 * A monitor's `with:` as an analysis hands it over: the analysis `interval` unless the monitor
 * has its own, and a `url` / `metrics` starting with `/` made absolute against the environment's url.
 */
export function monitorConfig(ref: MonitorRef, interval: number | undefined, baseUrl: string | undefined): Record<string, unknown> {
  const config: Record<string, unknown> = { ...(ref.with ?? {}) }
  if (interval !== undefined && config.interval === undefined) config.interval = interval
  if (baseUrl) {
    for (const key of ['url', 'metrics']) {
      const value = config[key]
      if (typeof value === 'string' && value.startsWith('/')) config[key] = baseUrl.replace(/\/+$/, '') + value
    }
  }
  return config
}

/**
 * Runs an analysis for a stage: starts its monitors, judges every sample as it arrives and keeps
 * the tally. `onSample` hears each judged sample (a verdict may have been reached by it). The
 * caller decides when it ends (`stop()`), and reads `tally` for the verdict and evidence.
 */
export class AnalysisRun {
  readonly tally: Tally
  private readonly handles: MonitorHandle[] = []
  private readonly pumps: Promise<void>[] = []
  private stopped = false
  /** A monitor that could not start, or whose samples ended in an error. */
  failure: string | undefined

  constructor(
    private readonly stage: StageRun,
    private readonly spec: AnalysisRunSpec,
    private readonly options: { source: 'verify' | 'analysis' | 'watch'; environment?: string; baseUrl?: string; onSample?: (sample: EvidenceSample, verdict: AnalysisVerdict | undefined) => void },
  ) {
    this.tally = new Tally(spec)
  }

  async start(): Promise<void> {
    const names = monitorNames(this.spec.monitors)
    for (const [index, ref] of this.spec.monitors.entries()) {
      const name = names[index]!
      const handle = await startMonitor(this.stage, ref.uses, monitorConfig(ref, this.spec.interval, this.options.baseUrl), { name, source: this.options.source, ...(this.options.environment ? { environment: this.options.environment } : {}) })
      this.handles.push(handle)
      this.pumps.push(this.pump(name, handle))
    }
  }

  private async pump(name: string, handle: MonitorHandle): Promise<void> {
    try {
      for await (const sample of handle.samples as AsyncIterable<MonitorSample>) {
        if (this.stopped) return
        this.judge(name, sample)
      }
    } catch (error) {
      if (!this.stopped) this.failure = `monitor ${name} failed: ${error instanceof Error ? error.message : String(error)}`
    }
  }

  private judge(name: string, sample: MonitorSample): void {
    const judged = judgeSample(name, sample, this.spec, this.stage.expr)
    const reason = judged.error ? `${sample.reason ?? ''}${sample.reason ? '; ' : ''}${judged.error}` : sample.reason
    const evidence: EvidenceSample & { measurement: typeof judged.measurement } = {
      monitor: name,
      at: sample.at,
      healthy: sample.healthy,
      values: sample.values,
      ...(reason !== undefined ? { reason: this.stage.session.redact(reason) } : {}),
      measurement: judged.measurement,
    }
    const verdict = this.tally.add(evidence, judged.condition)
    this.options.onSample?.(evidence, verdict)
  }

  /** A monitor that failed (to start, or while sampling) counts as a failed measurement, once, unless a verdict came first. */
  noteFailure(at: number): void {
    if (this.failure && !this.tally.verdict) this.tally.add({ monitor: 'analysis', at, healthy: false, values: {}, reason: this.failure, measurement: 'error' }, this.failure)
  }

  /** Starts the monitors; one that cannot start is a failed measurement (`failure`), never a throw. */
  async startOrNote(): Promise<void> {
    try {
      await this.start()
    } catch (error) {
      this.failure = `a monitor could not start: ${error instanceof Error ? error.message : String(error)}`
    }
  }

  /** Stops every monitor; resolves when none is left running. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await Promise.allSettled(this.handles.map((h) => h.stop()))
    await Promise.allSettled(this.pumps)
  }
}
