import { hostname } from 'node:os'
import type { KernelHook } from '../kernel/hook-chain.js'
import type { StageRun, StepResult } from '../kernel/stage-run.js'
import { activeLatch, latchedError } from '../deploy/latch.js'
import { acquireLock, newLockToken } from '../deploy/locks.js'
import { runDeployAttempt } from './deploy-attempt.js'
import { checkApprovals, checkBranches, checkFreeze } from './deploy-protection.js'

/** How often a deploy queued behind an environment's lock asks again (a release in this engine wakes it at once). */
export const LOCK_RECHECK_MS = 500

interface HeldLock {
  environment: string
  token: string
  granted: boolean
}

/**
 * Deploys as a lifecycle provider. `prepare`: the environment's protection rules in order —
 * branches (fail), freeze windows (wait, or fail with --no-wait), approvals (wait) — then the
 * environment's lock, FIFO across processes (wait, saying who holds it and how many are ahead;
 * a dead holder is evicted). `attempt`: the deployer instead of a process. `afterStage`, whatever
 * the outcome: the lock (or the place in its queue) is given back. A rollback is held to the
 * approvals only: it returns to a version that already ran there.
 */
export const deployHook: KernelHook = {
  name: 'deploy',

  async prepare(stage): Promise<StepResult> {
    const deploy = stage.spec.deploy
    if (!deploy) return
    const environment = stage.session.input.spec.environments?.[deploy.environment]
    if (!environment) {
      return { fail: { code: 'PW_ERR_CONFIG_INVALID', message: `Stage ${stage.stageId} deploys to environment ${deploy.environment}, which the pipeline does not declare`, details: 'Add it under `environments:`.' } }
    }
    if (deploy.rollback === undefined) {
      // After an automatic rollback, nothing new goes there until a person acknowledges it.
      const latch = await activeLatch(stage.session.input.store, deploy.environment)
      if (latch) {
        const error = latchedError(latch)
        return { fail: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } }
      }
    }
    const protection = environment.protection
    if (protection) {
      const rollback = deploy.rollback !== undefined
      const rules = [
        () => (!rollback && protection.branches ? checkBranches(stage, deploy.environment, protection.branches) : undefined),
        () => (!rollback && protection.freeze?.length ? checkFreeze(stage, deploy.environment, protection.freeze) : undefined),
        () => (protection.approvals > 0 ? checkApprovals(stage, deploy.environment, protection) : undefined),
      ]
      for (const rule of rules) {
        const result = await rule()
        if (result) return result
      }
    }
    return takeLock(stage, deploy.environment)
  },

  async attempt(stage) {
    return stage.spec.deploy ? runDeployAttempt(stage) : undefined
  },

  async afterStage(stage) {
    const held = stage.memo.get('deploy.lock') as HeldLock | undefined
    if (!held) return
    stage.memo.delete('deploy.lock')
    const { session } = stage
    const removed = await session.input.store.releaseEnvironmentLock(held.environment, { runId: session.runId, stageId: stage.stageId, token: held.token })
    if (removed && held.granted) stage.log(`released the lock of ${held.environment}`)
    session.input.wakeAll()
  },
}

async function takeLock(stage: StageRun, environment: string): Promise<StepResult> {
  const { session } = stage
  const held = (stage.memo.get('deploy.lock') as HeldLock | undefined) ?? { environment, token: newLockToken(), granted: false }
  stage.memo.set('deploy.lock', held)
  const answer = await acquireLock(session.input.store, environment, {
    runId: session.runId,
    stageId: stage.stageId,
    pipeline: session.input.spec.name,
    token: held.token,
    pid: process.pid,
    host: hostname(),
    at: session.clock.now(),
  })
  for (const e of answer.evicted) stage.log(`released the lock of ${environment} held by run ${e.runId} (${e.stageId}): its process ${e.pid} on ${e.host} is gone`)
  if (answer.granted) {
    held.granted = true
    stage.memo.set('deploy.lockSeq', answer.entry.seq)
    stage.log(`acquired the lock of ${environment}`)
    return
  }
  const place = answer.ahead === 0 ? 'you are next' : `${answer.ahead} ahead of you`
  const reason = answer.holder ? `${environment} locked by run ${answer.holder.runId} (${answer.holder.stageId}), ${place}` : `${environment} is being handed over, ${place}`
  return { wait: { reason, kind: 'lock', recheckMs: LOCK_RECHECK_MS } }
}
