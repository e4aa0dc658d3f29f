import type { SerializedError, WaitRequest } from '@pipewright/plugin-api'
import type { WaitState } from '@pipewright/store-api'
import { durationText as formatDuration } from '../exec/duration-text.js'
import type { KernelHook } from './hook-chain.js'
import type { StageFinish, StageRun, StepResult } from './stage-run.js'
import { serializeError } from './serialize-error.js'

/** How often a waiting hook is asked again unless it says otherwise. */
export const DEFAULT_RECHECK_MS = 5000

export type StepsEnd = { kind: 'done' } | { kind: 'finish'; finish: StageFinish } | { kind: 'fail'; error: SerializedError } | { kind: 'cancelled' }

/**
 * Runs the providers of a waitable step (`prepare`, `verify`) in order. A provider that asks to
 * wait is asked again — after its recheck time, a wake-up or nothing (cancel) — until it stops
 * asking; meanwhile the stage is `waiting`, durably, with the reason. `resumeAt` starts at the
 * provider a resumed run was waiting on.
 */
export async function runWaitableSteps(
  stage: StageRun,
  phase: 'prepare' | 'verify',
  providers: readonly KernelHook[],
  call: (hook: KernelHook) => Promise<StepResult> | StepResult,
  resumeAt?: string,
): Promise<StepsEnd> {
  const start = resumeAt === undefined ? 0 : Math.max(0, providers.findIndex((p) => p.name === resumeAt))
  for (let i = start; i < providers.length; i++) {
    const provider = providers[i]!
    for (;;) {
      let step: StepResult
      try {
        step = await call(provider)
      } catch (error) {
        endWait(stage, 'continued')
        return { kind: 'fail', error: serializeError(error, stage.session.redact) }
      }
      if (step && 'wait' in step) {
        const outcome = await waitOnce(stage, phase, provider.name, step.wait)
        if (outcome === 'again') continue
        return outcome
      }
      endWait(stage, 'continued')
      if (step && 'finish' in step) return { kind: 'finish', finish: step.finish }
      if (step && 'fail' in step) return { kind: 'fail', error: step.fail }
      break
    }
  }
  return { kind: 'done' }
}

/** Records (or updates) the wait, then sleeps until the next check; gives up at the deadline or on cancel. */
async function waitOnce(stage: StageRun, phase: 'prepare' | 'verify', hook: string, request: WaitRequest): Promise<'again' | StepsEnd> {
  const { session } = stage
  const now = session.clock.now()
  const kind = request.kind ?? 'gate'
  const previous = stage.wait ?? (stage.resumedWait?.hook === hook && stage.resumedWait.kind === kind ? stage.resumedWait : undefined)
  const since = previous?.hook === hook && previous.kind === kind ? previous.since : now
  const deadline = request.timeoutMs !== undefined ? since + request.timeoutMs : undefined
  const wait: WaitState = { reason: session.redact(request.reason), kind, since, phase, hook, ...(deadline !== undefined ? { deadline } : {}) }
  if (!stage.wait || stage.wait.reason !== wait.reason || stage.wait.hook !== hook || stage.wait.deadline !== wait.deadline) {
    const first = !stage.wait || stage.wait.kind !== kind
    stage.wait = wait
    session.emit('stage:waiting', { stageId: stage.stageId, reason: wait.reason, kind, since, phase, hook, ...(deadline !== undefined ? { deadline } : {}) })
    if (first) {
      stage.log(`waiting: ${wait.reason}${deadline !== undefined ? ` (gives up after ${formatDuration(deadline - since)})` : ''}`)
      if (kind === 'approval') session.emit('approval:requested', { stageId: stage.stageId, reason: wait.reason })
    }
  }
  stage.resumedWait = undefined
  if (deadline !== undefined && now >= deadline) {
    endWait(stage, 'timed-out')
    return {
      kind: 'fail',
      error: {
        code: 'PW_ERR_WAIT_TIMEOUT',
        message: `Stage ${stage.stageId} waited ${formatDuration(now - since)} (${kind}: ${wait.reason}) and gave up`,
        details: 'Act on what it waited for sooner, or raise the timeout (e.g. a gate\'s `timeout:`), then run again.',
      },
    }
  }
  const recheck = Math.max(1, request.recheckMs ?? DEFAULT_RECHECK_MS)
  await session.wakers.sleep(session.clock, stage.stageId, deadline === undefined ? recheck : Math.min(recheck, Math.max(1, deadline - now)), stage.signal)
  if (stage.signal.aborted) {
    endWait(stage, 'cancelled')
    return { kind: 'cancelled' }
  }
  return 'again'
}

export function endWait(stage: StageRun, outcome: 'continued' | 'timed-out' | 'cancelled'): void {
  const wait = stage.wait
  if (!wait) return
  stage.wait = undefined
  stage.session.emit('stage:wait-ended', { stageId: stage.stageId, kind: wait.kind, waitedMs: stage.session.clock.now() - wait.since, outcome })
}
