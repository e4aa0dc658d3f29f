import type { AnalysisEvidence, AnalysisVerdict, AttemptOutcome, EvidenceSample } from '@pipewright/plugin-api'
import { AnalysisRun, monitorNames } from '../analysis/analysis-run.js'
import { describeSample } from '../analysis/judge.js'
import type { CanaryStep, CanaryStepVerdict, DeployerResult } from '../deploy/deployer.js'
import { latchEnvironment } from '../deploy/latch.js'
import { durationText } from '../exec/duration-text.js'
import type { StageRun } from '../kernel/stage-run.js'
import type { AnalysisSpec } from '../pipeline/environment-schema.js'
import { redactDeep } from '../security/redact.js'

/** A canary step's progress line is written at most this often (what changed since; a verdict is written at once). */
export const CANARY_PROGRESS_MS = 2_000
/** How often a step's analysis looks at its window (a verdict wakes it at once). */
const RECHECK_MS = 500

/** The deployment whose canary steps are analyzed. */
export interface CanaryDeployment {
  environment: string
  deploymentId: string
  version: string
  /** The environment's url: monitor urls starting with `/` are relative to it. */
  url: string
}

/** Why an analysis aborted the canary: the step, the verdict, and the evidence (redacted). */
export interface CanaryAbort {
  weight: number
  verdict: AnalysisVerdict
  reason: string
  evidence: AnalysisEvidence
}

/**
 * The analysis between a canary's steps (`strategy: { canary: { analysis } }`), run by the engine
 * like any analysis: the deployer holds each step below 100 until `onCanaryStep` answers. Each
 * step gets a fresh analysis over the environment; its verdict is published (`analysis:finished`,
 * the step in the evidence). `successful` goes on; `failed` or `inconclusive` aborts the canary —
 * `rollback:started`, then the deployer gives all traffic back — unless `advisory`.
 */
export class CanaryAnalysis {
  /** Set when an analysis aborted the canary. */
  aborted: CanaryAbort | undefined
  /** The deploy call returned: a step's analysis still running has nobody left to answer. */
  private ended = false
  private inFlight: Promise<unknown> | undefined

  constructor(
    private readonly stage: StageRun,
    private readonly spec: AnalysisSpec,
    private readonly deployment: CanaryDeployment,
  ) {}

  /** The analysis of a deploy's canary steps, when its strategy has one. */
  static of(stage: StageRun, spec: AnalysisSpec | undefined, deployment: CanaryDeployment): CanaryAnalysis | undefined {
    return spec ? new CanaryAnalysis(stage, spec, deployment) : undefined
  }

  readonly onCanaryStep = (step: CanaryStep): Promise<CanaryStepVerdict> => {
    const judged = this.judge(step)
    this.inFlight = judged
    return judged
  }

  /** Called once the deploy call returned (the agent may end a canary on its own: a crashed instance): stops a step's analysis still running. */
  async end(): Promise<void> {
    this.ended = true
    this.stage.session.wakers.wake(this.stage.stageId)
    await this.inFlight?.catch(() => undefined)
  }

  private async judge({ weight }: CanaryStep): Promise<CanaryStepVerdict> {
    const { stage, spec, deployment } = this
    const { session } = stage
    const startedAt = session.clock.now()
    const deadline = spec.window !== undefined ? startedAt + spec.window : Number.POSITIVE_INFINITY
    let latest: EvidenceSample | undefined
    const run = new AnalysisRun(stage, spec, {
      source: 'analysis',
      environment: deployment.environment,
      baseUrl: deployment.url,
      onSample: (sample, verdict) => {
        latest = sample
        if (sample.measurement !== 'successful') stage.log(`canary ${weight}%: ${describeSample(sample)}${sample.reason ? ` — ${sample.reason}` : ''}`, 'stderr')
        if (verdict) session.wakers.wake(stage.stageId)
      },
    })
    const until = [spec.count !== undefined ? `${spec.count} measurement(s)` : '', spec.window !== undefined ? durationText(spec.window) : ''].filter(Boolean).join(' or ')
    stage.log(`canary ${weight}%: analyzing ${deployment.version} on ${deployment.environment} with ${monitorNames(spec.monitors).join(', ')} for ${until}`)
    await run.startOrNote()
    // The first progress line after CANARY_PROGRESS_MS: a quick verdict needs none.
    let shown = { line: '', at: startedAt }
    try {
      for (;;) {
        const now = session.clock.now()
        run.noteFailure(now)
        if (run.tally.verdict !== undefined || now >= deadline || stage.signal.aborted || this.ended) break
        const line = progress(run, spec, weight, latest)
        if (line !== shown.line && now - shown.at >= CANARY_PROGRESS_MS) {
          stage.log(`${line} (${durationText(now - startedAt)} in)`)
          shown = { line, at: now }
        }
        await session.wakers.sleep(session.clock, stage.stageId, Math.max(1, Math.min(RECHECK_MS, deadline - now)), stage.signal)
      }
    } finally {
      await run.stop()
    }
    if (stage.signal.aborted || this.ended) return { proceed: false, reason: stage.signal.aborted ? 'the run was cancelled' : 'the deploy ended before the verdict' }
    return this.decide(run, weight, session.clock.now() - startedAt)
  }

  private decide(run: AnalysisRun, weight: number, tookMs: number): CanaryStepVerdict {
    const { stage, spec, deployment } = this
    const { session } = stage
    const verdict = run.tally.finish()
    const judged = redactDeep({ reason: `${verdict} after ${durationText(tookMs)} at the ${weight}% step: ${run.tally.reason}`, evidence: { ...run.tally.evidence(), step: weight } }, session.redact)
    session.emit('analysis:finished', { stageId: stage.stageId, environment: deployment.environment, source: 'analysis', verdict, advisory: spec.advisory, reason: judged.reason, evidence: judged.evidence })
    if (verdict === 'successful') {
      stage.log(`canary ${weight}%: analysis successful — ${run.tally.reason}`)
      return { proceed: true }
    }
    if (spec.advisory) {
      stage.log(`canary ${weight}%: analysis ${judged.reason} (advisory: the canary goes on)`, 'stderr')
      return { proceed: true }
    }
    this.aborted = { weight, verdict, ...judged }
    session.emit('rollback:started', { stageId: stage.stageId, environment: deployment.environment, deploymentId: deployment.deploymentId, version: session.redact(deployment.version), reason: judged.reason, evidence: judged.evidence })
    stage.log(`canary ${weight}%: aborting the canary of ${deployment.version} — analysis ${judged.reason}`, 'stderr')
    return { proceed: false, reason: `analysis ${judged.reason}` }
  }

  /**
   * After the deploy, when an analysis aborted the canary: the environment is latched (deploys
   * refused until someone acknowledges, as after a verification's rollback) and the stage fails
   * saying why. Undefined otherwise.
   */
  async failure(result: DeployerResult, version: string): Promise<AttemptOutcome | undefined> {
    const { stage, deployment, aborted } = this
    if (!aborted || result.outcome === 'succeeded') return undefined
    const { session } = stage
    await latchEnvironment(session.input.store, {
      environment: deployment.environment,
      reason: aborted.reason,
      latchedAt: session.clock.now(),
      runId: session.runId,
      stageId: stage.stageId,
      deploymentId: deployment.deploymentId,
      version,
    })
    const serving = `${result.servingVersion ?? 'the stable version'} serves all traffic again`
    const message = `The canary of ${version} on ${deployment.environment} was aborted at its ${aborted.weight}% step and never promoted: analysis ${aborted.reason}; ${serving}`
    return { ok: false, kind: 'failure', exitCode: null, error: { code: 'PW_ERR_ANALYSIS_FAILED', message } }
  }
}

function progress(run: AnalysisRun, spec: AnalysisSpec, weight: number, latest: EvidenceSample | undefined): string {
  const { counts, total } = run.tally
  return `canary ${weight}%: ${total}${spec.count !== undefined ? ` of ${spec.count}` : ''} measurement(s), ${counts.failed + counts.error} failed${latest ? `; latest: ${describeSample(latest)}` : ''}`
}
