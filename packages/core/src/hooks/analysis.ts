import { AnalysisRun } from '../analysis/analysis-run.js'
import { describeSample } from '../analysis/judge.js'
import { durationText } from '../exec/duration-text.js'
import { interpolate } from '../expr/index.js'
import type { KernelHook } from '../kernel/hook-chain.js'
import type { StageRun, StepResult } from '../kernel/stage-run.js'
import type { AnalysisSpec } from '../pipeline/environment-schema.js'

interface Analyzing {
  run: AnalysisRun
  startedAt: number
  deadline: number
  latest?: string
}

/**
 * A stage's `analysis:` (after its gates): the monitors are measured until `count` measurements or
 * `window` — the stage waits as `analyzing` meanwhile — and the verdict is published
 * (`analysis:finished`). A `failed` or `inconclusive` verdict fails the stage, unless `advisory`:
 * then it is only recorded and notified. In a deploy stage, relative monitor urls (`/healthz`)
 * are the environment's.
 */
export const analysisHook: KernelHook = {
  name: 'analysis',

  async verify(stage): Promise<StepResult> {
    const spec = stage.spec.analysis
    if (!spec) return
    let state = stage.memo.get('analysis.state') as Analyzing | undefined
    if (!state) state = await begin(stage, spec)
    const { tally } = state.run
    const now = stage.session.clock.now()
    state.run.noteFailure(now)
    if (tally.verdict === undefined && now < state.deadline) {
      const failed = tally.counts.failed + tally.counts.error
      const reason = `analyzing: ${durationText(now - state.startedAt)}, ${tally.total}${spec.count ? ` of ${spec.count}` : ''} measurement(s), ${failed} failed${state.latest ? `; latest: ${state.latest}` : ''}`
      return { wait: { reason, kind: 'analyzing', recheckMs: Math.max(1, Math.min(1000, state.deadline - now)) } }
    }
    stage.memo.delete('analysis.state')
    await state.run.stop()
    const verdict = tally.finish()
    const environment = stage.spec.deploy?.environment
    stage.session.emit('analysis:finished', { stageId: stage.stageId, ...(environment ? { environment } : {}), source: 'analysis', verdict, advisory: spec.advisory, reason: tally.reason, evidence: tally.evidence() })
    stage.log(`analysis: ${verdict}${spec.advisory ? ' (advisory)' : ''} — ${tally.reason}`, verdict === 'successful' ? 'system' : 'stderr')
    if (verdict === 'successful' || spec.advisory) return
    return { fail: { code: 'PW_ERR_ANALYSIS_FAILED', message: `Analysis of ${stage.stageId} ${verdict}: ${tally.reason}` } }
  },

  async afterStage(stage) {
    const state = stage.memo.get('analysis.state') as Analyzing | undefined
    stage.memo.delete('analysis.state')
    await state?.run.stop()
  },
}

async function begin(stage: StageRun, spec: AnalysisSpec): Promise<Analyzing> {
  const { session } = stage
  const environment = stage.spec.deploy?.environment
  const envSpec = environment ? session.input.spec.environments?.[environment] : undefined
  const startedAt = session.clock.now()
  const state = { startedAt, deadline: spec.window !== undefined ? startedAt + spec.window : Number.POSITIVE_INFINITY } as Analyzing
  state.run = new AnalysisRun(stage, spec, {
    source: 'analysis',
    ...(environment ? { environment } : {}),
    ...(envSpec ? { baseUrl: interpolate(envSpec.url, stage.expr) } : {}),
    onSample: (sample, verdict) => {
      state.latest = describeSample(sample)
      if (verdict) session.wakers.wake(stage.stageId)
    },
  })
  stage.memo.set('analysis.state', state)
  await state.run.startOrNote()
  return state
}
