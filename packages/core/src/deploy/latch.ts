import { PipewrightError } from '@pipewright/plugin-api'
import type { Store } from '@pipewright/store-api'
import { recordAudit } from '../record/audit.js'

/**
 * An environment's latch: set by an automatic rollback, it refuses deploys there (rollbacks still
 * go) until a person acknowledges it with `pipewright ack <env>`. Kept in the store's named state,
 * so every process that shares the store sees it; an acknowledged latch stays as the last one.
 */
export interface EnvironmentLatch {
  environment: string
  /** Why it latched: the rollback's reason. */
  reason: string
  latchedAt: number
  runId?: string
  stageId?: string
  /** The deployment that was rolled back, and the version. */
  deploymentId?: string
  version?: string
  ack?: { by: string; at: number; comment?: string }
}

const key = (environment: string) => `environment-latch:${environment}`

export async function getEnvironmentLatch(store: Store, environment: string): Promise<EnvironmentLatch | undefined> {
  return store.getState<EnvironmentLatch>(key(environment))
}

/** The latch when it holds (set and not acknowledged). */
export async function activeLatch(store: Store, environment: string): Promise<EnvironmentLatch | undefined> {
  const latch = await getEnvironmentLatch(store, environment)
  return latch && !latch.ack ? latch : undefined
}

export async function latchEnvironment(store: Store, latch: Omit<EnvironmentLatch, 'ack'>): Promise<void> {
  await store.setState(key(latch.environment), latch)
}

/** Acknowledges an environment's latch; PW_ERR_ENVIRONMENT_NOT_LATCHED when none holds. */
export async function ackEnvironment(store: Store, environment: string, ack: { by: string; at: number; comment?: string; source?: string }): Promise<EnvironmentLatch> {
  const latch = await activeLatch(store, environment)
  if (!latch) {
    throw new PipewrightError('PW_ERR_ENVIRONMENT_NOT_LATCHED', `${environment} is not latched: there is nothing to acknowledge`, {
      details: 'An environment is latched only after an automatic rollback; `pipewright envs` shows which are.',
    })
  }
  const acked: EnvironmentLatch = { ...latch, ack: { by: ack.by, at: ack.at, ...(ack.comment ? { comment: ack.comment } : {}) } }
  await store.setState(key(environment), acked)
  await recordAudit(store, {
    action: 'environment.acked', actor: ack.by, at: ack.at, source: ack.source ?? 'cli',
    subject: { environment, ...(latch.runId ? { runId: latch.runId } : {}), ...(latch.deploymentId ? { deploymentId: latch.deploymentId } : {}) },
    data: { version: latch.version ?? null, reason: latch.reason, latchedAt: latch.latchedAt, comment: ack.comment ?? null },
  })
  return acked
}

/** The error a deploy to a latched environment fails with. */
export function latchedError(latch: EnvironmentLatch): PipewrightError {
  const when = new Date(latch.latchedAt).toISOString().replace('T', ' ').slice(0, 19)
  return new PipewrightError(
    'PW_ERR_ENVIRONMENT_LATCHED',
    `${latch.environment} is latched since ${when} UTC: ${latch.version ? `${latch.version} was rolled back automatically` : 'an automatic rollback'}${latch.runId ? ` (run ${latch.runId})` : ''} — ${latch.reason}. Deploys here are refused until someone acknowledges it`,
    { details: `Look at why (pipewright history ${latch.environment}), fix the release, then: pipewright ack ${latch.environment} --comment "<what was done>"` },
  )
}
