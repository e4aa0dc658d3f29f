import type { AnalysisEvidence, AnalysisVerdict, EvidenceSample, MonitorSample } from '@pipewright/plugin-api'
import { conditionSource, evaluateExpression, isTruthy, type ExpressionContext } from '../expr/index.js'

export type Measurement = NonNullable<EvidenceSample['measurement']>

/** What judging needs of an analysis spec. */
export interface JudgeSpec {
  'success-condition'?: string | undefined
  'failure-condition'?: string | undefined
  'failure-limit': number
  'inconclusive-limit': number
  count?: number | undefined
}

/** Evidence keeps this many of the latest samples. */
export const EVIDENCE_SAMPLES = 20

/**
 * One measurement, as Argo Rollouts judges it: without conditions, the monitor's own `healthy`;
 * with `failure-condition`, failed when it holds; with `success-condition`, successful when it
 * holds; with both, `inconclusive` when neither holds; with only one, its negation decides. An
 * expression that cannot be evaluated is an `error`, counted as failed.
 */
export function judgeSample(monitor: string, sample: MonitorSample, spec: JudgeSpec, base: ExpressionContext): { measurement: Measurement; condition?: string; error?: string } {
  const success = spec['success-condition']
  const failure = spec['failure-condition']
  if (success === undefined && failure === undefined) return { measurement: sample.healthy ? 'successful' : 'failed', ...(sample.healthy ? {} : { condition: `monitor ${monitor} reported unhealthy` }) }
  const ctx: ExpressionContext = { ...base, result: { ...sample.values, healthy: sample.healthy, monitor } }
  try {
    if (failure !== undefined && isTruthy(evaluateExpression(conditionSource(failure), ctx))) return { measurement: 'failed', condition: `failure-condition: ${failure}` }
    if (success !== undefined) {
      if (isTruthy(evaluateExpression(conditionSource(success), ctx))) return { measurement: 'successful' }
      return failure === undefined ? { measurement: 'failed', condition: `success-condition not met: ${success}` } : { measurement: 'inconclusive', condition: `neither success-condition (${success}) nor failure-condition (${failure}) held` }
    }
    return { measurement: 'successful' }
  } catch (error) {
    return { measurement: 'error', condition: `condition could not be evaluated`, error: error instanceof Error ? error.message : String(error) }
  }
}

/** The running tally of an analysis: counts, the latest samples, and the verdict once one is reached. */
export class Tally {
  readonly counts = { successful: 0, failed: 0, inconclusive: 0, error: 0 }
  readonly samples: EvidenceSample[] = []
  verdict: AnalysisVerdict | undefined
  /** What decided a failed or inconclusive verdict. */
  condition: string | undefined
  reason = ''

  constructor(private readonly spec: JudgeSpec) {}

  get total(): number {
    return this.counts.successful + this.counts.failed + this.counts.inconclusive + this.counts.error
  }

  /** Adds a measurement; returns the verdict when this one decided it. */
  add(sample: EvidenceSample & { measurement: Measurement }, condition?: string): AnalysisVerdict | undefined {
    // Evidence is what the verdict rests on: samples after it are not part of it.
    if (this.verdict) return undefined
    this.samples.push(sample)
    if (this.samples.length > EVIDENCE_SAMPLES) this.samples.shift()
    this.counts[sample.measurement]++
    const failed = this.counts.failed + this.counts.error
    if (failed > this.spec['failure-limit']) return this.decide('failed', condition, `${failed} failed measurement(s), more than failure-limit ${this.spec['failure-limit']}`)
    if (this.counts.inconclusive > this.spec['inconclusive-limit']) return this.decide('inconclusive', condition, `${this.counts.inconclusive} inconclusive measurement(s), more than inconclusive-limit ${this.spec['inconclusive-limit']}`)
    if (this.spec.count !== undefined && this.total >= this.spec.count) return this.decide('successful', undefined, `${this.total} measurement(s), ${failed} failed`)
    return undefined
  }

  /** Ends the analysis (its window passed): successful unless a verdict was already reached. */
  finish(): AnalysisVerdict {
    if (!this.verdict) this.decide('successful', undefined, `${this.total} measurement(s), ${this.counts.failed + this.counts.error} failed, ${this.counts.inconclusive} inconclusive`)
    return this.verdict!
  }

  private decide(verdict: AnalysisVerdict, condition: string | undefined, why: string): AnalysisVerdict {
    this.verdict = verdict
    this.condition = condition
    const last = [...this.samples].reverse().find((s) => s.measurement !== 'successful')
    this.reason = verdict === 'successful' ? why : `${why}${condition ? `; ${condition}` : ''}${last?.reason ? `; last: ${last.reason}` : ''}`
    return verdict
  }

  evidence(): AnalysisEvidence {
    return { ...(this.condition ? { condition: this.condition } : {}), measurements: { ...this.counts }, samples: this.samples.map((s) => ({ ...s, values: { ...s.values } })) }
  }
}

/** One line for a sample: `http healthy status=200 latencyMs=3`. */
export function describeSample(sample: EvidenceSample): string {
  const values = Object.entries(sample.values).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`).join(' ')
  return `${sample.monitor} ${sample.measurement ?? (sample.healthy ? 'healthy' : 'unhealthy')}${values ? ` ${values}` : ''}`
}
