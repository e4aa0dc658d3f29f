import type { EvidenceSample } from '@pipewright/plugin-api'
import { AnalysisRun } from '../analysis/analysis-run.js'
import { describeSample } from '../analysis/judge.js'
import { durationText } from '../exec/duration-text.js'
import { interpolate } from '../expr/index.js'
import type { KernelHook } from '../kernel/hook-chain.js'
import type { StageRun, StepResult } from '../kernel/stage-run.js'
import type { VerifySpec } from '../pipeline/environment-schema.js'
import { rollBackAutomatically, type VerifiedDeployment } from './deploy-rollback.js'

/** How often a verifying stage refreshes what it shows (a failed measurement wakes it at once). */
export const VERIFY_REFRESH_MS = 500

interface Verifying {
  run: AnalysisRun
  deployment: VerifiedDeployment
  startedAt: number
  deadline: number
  latest?: EvidenceSample
}

/**
 * Post-deploy verification (`deploy: { verify: … }`), first in `verify` once the deploy succeeded:
 * the monitors run for `window` while the stage waits as `verifying`, showing the latest sample.
 * A `failed` or `inconclusive` verdict inside the window rolls the deployment back at once
 * (unless `advisory`), and the stage fails saying why, with the evidence. The environment's lock
 * is held throughout (the deploy hook gives it back in `afterStage`).
 */
export const deployVerifyHook: KernelHook = {
  name: 'deploy-verify',

  async verify(stage): Promise<StepResult> {
    const deploy = stage.spec.deploy
    const spec = deploy?.verify
    if (!deploy || !spec || deploy.rollback !== undefined || stage.outputs.get('outcome') !== 'succeeded') return
    let state = stage.memo.get('verify.state') as Verifying | undefined
    if (!state) state = await begin(stage, spec)
    const { tally } = state.run
    const now = stage.session.clock.now()
    state.run.noteFailure(now)
    const decided = tally.verdict
    if (decided === undefined && now < state.deadline) {
      return { wait: { reason: verifyingReason(state, spec, now), kind: 'verifying', recheckMs: Math.max(1, Math.min(VERIFY_REFRESH_MS, state.deadline - now)) } }
    }
    stage.memo.delete('verify.state')
    await state.run.stop()
    const verdict = tally.finish()
    const evidence = tally.evidence()
    const { session } = stage
    session.emit('analysis:finished', { stageId: stage.stageId, environment: state.deployment.environment, source: 'verify', verdict, advisory: spec.advisory, reason: tally.reason, evidence })
    const after = durationText(now - state.startedAt)
    if (verdict === 'successful') {
      stage.log(`verified ${state.deployment.version} on ${state.deployment.environment} for ${after}: ${tally.reason}`)
      return
    }
    const reason = `${verdict} after ${after} of its ${durationText(spec.window)} verification window: ${tally.reason}`
    if (spec.advisory) {
      stage.log(`verification of ${state.deployment.version} on ${state.deployment.environment} is ${reason} (advisory: no rollback)`, 'stderr')
      return
    }
    const result = await rollBackAutomatically(stage, state.deployment, reason, evidence)
    stage.outputs.set('outcome', 'rolled-back')
    const back = result.outcome === 'succeeded' ? `rolled back to ${result.servingVersion ?? result.version}` : `its rollback failed too (${result.error?.message ?? result.outcome}): check the environment now`
    return { fail: { code: 'PW_ERR_VERIFICATION_FAILED', message: `${state.deployment.version} on ${state.deployment.environment} turned unhealthy and was ${back}: ${reason}` } }
  },

  async afterStage(stage) {
    // A cancelled or failed stage may leave its verification running: stop its monitors.
    const state = stage.memo.get('verify.state') as Verifying | undefined
    stage.memo.delete('verify.state')
    await state?.run.stop()
  },
}

async function begin(stage: StageRun, spec: VerifySpec): Promise<Verifying> {
  const { session } = stage
  const environment = stage.spec.deploy!.environment
  const url = interpolate(session.input.spec.environments![environment]!.url, stage.expr)
  const startedAt = session.clock.now()
  const deployment: VerifiedDeployment = { environment, deploymentId: stage.outputs.get('deployment-id') ?? '', version: stage.outputs.get('version') ?? '' }
  // The run is made next: its listener fills in the state's latest sample.
  const state = { deployment, startedAt, deadline: startedAt + spec.window } as Verifying
  state.run = new AnalysisRun(stage, spec, {
    source: 'verify',
    environment,
    baseUrl: url,
    onSample: (sample, verdict) => {
      state.latest = sample
      if (sample.measurement !== 'successful') stage.log(`verify: ${describeSample(sample)}${sample.reason ? ` — ${sample.reason}` : ''}`, 'stderr')
      if (verdict) session.wakers.wake(stage.stageId)
    },
  })
  stage.memo.set('verify.state', state)
  stage.log(`verifying ${deployment.version} on ${environment} for ${durationText(spec.window)} with ${spec.monitors.map((m) => m.name ?? m.uses).join(', ')}`)
  // A monitor that cannot start is a failed measurement: the version is not verified.
  await state.run.startOrNote()
  return state
}

function verifyingReason(state: Verifying, spec: VerifySpec, now: number): string {
  const { counts } = state.run.tally
  const total = counts.successful + counts.failed + counts.inconclusive + counts.error
  const latest = state.latest ? `; latest: ${describeSample(state.latest)}` : ''
  return `verifying ${state.deployment.version} on ${state.deployment.environment}: ${durationText(now - state.startedAt)} of ${durationText(spec.window)}, ${total} measurement(s), ${counts.failed + counts.error} failed${latest}`
}
