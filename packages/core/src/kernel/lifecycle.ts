import type { AttemptOutcome, SerializedError, StageOutcome, StageStatus, StoredArtifact } from '@pipewright/plugin-api'
import { executeAttempt } from './attempt.js'
import { durationText as formatDuration } from '../exec/duration-text.js'
import type { StageRun } from './stage-run.js'
import { runWaitableSteps, type StepsEnd } from './steps.js'
import { serializeError } from './serialize-error.js'

/** How a stage ended, as the scheduler records and publishes it. */
export interface StageEnd {
  status: StageStatus
  attempts: number
  exitCode: number | null
  outputs: Record<string, string>
  artifacts: StoredArtifact[]
  error?: SerializedError
  summary?: string
  /** Set by the scheduler: from the stage's start to its end. */
  durationMs?: number
}

/**
 * A stage's life, step by step: `prepare` (cache lookup, locks, approvals — may wait or end the
 * stage), attempts (each followed by `afterAttempt`; the retry policy is the last of those),
 * `verify` once an attempt succeeded (artifacts, gates, plugins — may wait or fail), then
 * `afterStage` (may change the outcome; the cache saves a success last). A stage whose run was
 * interrupted while it waited in `verify` continues waiting there, without running again.
 */
export async function runStageLifecycle(stage: StageRun): Promise<StageEnd> {
  const { session } = stage
  const hooks = session.input.hooks
  const prior = session.input.prior.get(stage.stageId)
  let outcome: StageOutcome

  if (prior?.status === 'waiting' && prior.waiting?.phase === 'verify') {
    await restoreAttempt(stage, prior)
    stage.resumedWait = prior.waiting
    outcome = toOutcome(await runWaitableSteps(stage, 'verify', hooks.of('verify'), (h) => h.verify!(stage), prior.waiting.hook))
  } else {
    if (prior?.status === 'waiting' && prior.waiting?.phase === 'prepare') stage.resumedWait = prior.waiting
    const prepared = await runWaitableSteps(stage, 'prepare', hooks.of('prepare'), (h) => h.prepare!(stage), stage.resumedWait?.hook)
    if (prepared.kind !== 'done') {
      outcome = toOutcome(prepared)
    } else {
      const attempt = await runAttempts(stage)
      outcome = attempt.ok
        ? toOutcome(await runWaitableSteps(stage, 'verify', hooks.of('verify'), (h) => h.verify!(stage)))
        : { status: attempt.kind === 'cancelled' ? 'cancelled' : 'failed', ...(attempt.error ? { error: attempt.error } : {}) }
    }
  }

  for (const hook of hooks.of('afterStage')) {
    try {
      outcome = (await hook.afterStage!(stage, outcome)) ?? outcome
    } catch (error) {
      outcome = { status: 'failed', error: serializeError(error, session.redact) }
    }
  }
  return {
    status: outcome.status,
    attempts: stage.attempt,
    exitCode: stage.exitCode,
    outputs: Object.fromEntries(stage.outputs),
    artifacts: stage.artifacts,
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(stage.summary !== undefined ? { summary: stage.summary } : {}),
  }
}

function toOutcome(end: StepsEnd): StageOutcome {
  switch (end.kind) {
    case 'done':
      return { status: 'succeeded' }
    case 'finish':
      return { status: end.finish.status, ...(end.finish.error ? { error: end.finish.error } : {}) }
    case 'fail':
      return { status: 'failed', error: end.error }
    case 'cancelled':
      return { status: 'cancelled', error: { code: 'PW_ERR_CANCELLED', message: 'The run was cancelled while the stage waited' } }
  }
}

/** Attempts until one succeeds or the retry policy (the last `afterAttempt` hook) stops asking for more. */
async function runAttempts(stage: StageRun): Promise<AttemptOutcome> {
  const { session } = stage
  for (;;) {
    stage.attempt++
    stage.outputs.clear()
    session.emit('stage:started', { stageId: stage.stageId, attempt: stage.attempt })
    const started = session.clock.now()
    let outcome: AttemptOutcome
    try {
      outcome = await executeAttempt(stage)
    } catch (error) {
      outcome = { ok: false, kind: 'failure', exitCode: null, error: serializeError(error, session.redact) }
    }
    stage.exitCode = outcome.exitCode
    session.emit('stage:attempted', { stageId: stage.stageId, attempt: stage.attempt, ok: outcome.ok, exitCode: outcome.exitCode, outputs: Object.fromEntries(stage.outputs), durationMs: session.clock.now() - started, ...(outcome.cpuMs !== undefined ? { cpuMs: outcome.cpuMs } : {}) })
    let retryAfterMs: number | undefined
    for (const hook of session.input.hooks.of('afterAttempt')) {
      try {
        const step = await hook.afterAttempt!(stage, outcome)
        if (step?.outcome) outcome = step.outcome
        if (step?.retryAfterMs !== undefined) retryAfterMs = step.retryAfterMs
      } catch (error) {
        outcome = { ok: false, kind: 'failure', exitCode: outcome.exitCode, error: serializeError(error, session.redact) }
        retryAfterMs = undefined
        break
      }
    }
    if (outcome.ok || outcome.kind === 'cancelled' || retryAfterMs === undefined || stage.signal.aborted) return outcome
    const reason = outcome.error?.message ?? 'failed'
    session.emit('stage:retrying', { stageId: stage.stageId, attempt: stage.attempt, delayMs: retryAfterMs, reason })
    stage.log(`attempt ${stage.attempt} failed (${reason}); retrying in ${formatDuration(retryAfterMs)}`)
    if (retryAfterMs > 0) await session.clock.sleep(retryAfterMs, stage.signal).catch(() => undefined)
    if (stage.signal.aborted) return outcome
  }
}

/** A stage that waited after its attempt: its outputs and artifacts as the interrupted process left them. */
async function restoreAttempt(stage: StageRun, prior: NonNullable<ReturnType<StageRun['session']['input']['prior']['get']>>): Promise<void> {
  stage.attempt = prior.attempts
  stage.exitCode = prior.exitCode
  stage.outputs = new Map(Object.entries(prior.outputs))
  const stored = await stage.session.input.store.listArtifacts(stage.session.runId)
  stage.artifacts = stored.filter((a) => a.stageId === stage.stageId).map(({ path, digest, size }) => ({ path, digest, size }))
  stage.log(`resuming the wait of an interrupted run: ${prior.waiting?.reason ?? ''}`)
}
