import type { AnalysisEvidence, DeploymentEventRecord } from '@pipewright/plugin-api'
import type { DeployerResult } from '../deploy/deployer.js'
import { environmentRequest } from '../deploy/environment-request.js'
import { latchEnvironment } from '../deploy/latch.js'
import type { StageRun } from '../kernel/stage-run.js'
import { serializeError } from '../kernel/serialize-error.js'
import { redactDeep } from '../security/redact.js'
import { newDeploymentId } from './deploy-attempt.js'

/** The deployment a verification judged unhealthy. */
export interface VerifiedDeployment {
  environment: string
  deploymentId: string
  version: string
}

/**
 * The automatic rollback of a deployment its verification judged unhealthy: `rollback:started`,
 * the deployer's rollback recorded as a deployment (`kind: rollback`, replacing the bad one, with
 * the evidence), `deploy:rolled-back`, and the environment latched until someone acknowledges.
 */
export async function rollBackAutomatically(stage: StageRun, bad: VerifiedDeployment, reason: string, evidence: AnalysisEvidence): Promise<DeployerResult> {
  const { session } = stage
  const spec = session.input.spec.environments![bad.environment]!
  const environment = environmentRequest(bad.environment, spec, stage.expr)
  const verification = redactDeep({ reason, evidence }, session.redact)
  session.emit('rollback:started', { stageId: stage.stageId, environment: bad.environment, deploymentId: bad.deploymentId, version: bad.version, reason: verification.reason, evidence: verification.evidence })
  stage.log(`rolling ${bad.environment} back: ${verification.reason}`, 'stderr')
  const id = newDeploymentId(session.clock.now())
  const startedAt = session.clock.now()
  const meta: Record<string, string> = { runId: session.runId, stageId: stage.stageId, deploymentId: id, pipeline: session.input.spec.name, automatic: 'true' }
  session.emit('deploy:started', { stageId: stage.stageId, deploymentId: id, environment: bad.environment, kind: 'rollback', version: 'previous', strategy: 'rollback' })
  let result: DeployerResult
  try {
    const deployer = session.input.deployer()
    if (!deployer) throw new Error('no deployer is registered')
    // Not the stage's signal: a run cancelled now must still get its bad version out.
    result = await deployer.rollback(environment, { meta }, { onProgress: (p) => stage.log(p.message, p.level === 'error' ? 'stderr' : 'system'), signal: new AbortController().signal })
  } catch (error) {
    result = { outcome: 'failed', version: 'previous', strategy: 'rollback', startedAt, finishedAt: session.clock.now(), error: serializeError(error, session.redact) }
  }
  const record: DeploymentEventRecord = redactDeep({
    deploymentId: id,
    pipeline: session.input.spec.name,
    environment: bad.environment,
    kind: 'rollback',
    version: result.version || 'previous',
    ...(result.previousVersion ? { previousVersion: result.previousVersion } : {}),
    strategy: result.strategy || 'rollback',
    outcome: result.outcome === 'succeeded' ? 'succeeded' : 'failed',
    ...(session.input.git?.sha ? { commit: session.input.git.sha } : {}),
    ...(session.input.triggeredBy ? { triggeredBy: session.input.triggeredBy } : {}),
    approvedBy: [],
    startedAt,
    finishedAt: session.clock.now(),
    url: environment.url,
    ...(result.error ? { error: result.error } : {}),
    ...(result.outcome === 'succeeded' ? { replaces: bad.deploymentId } : {}),
    verification,
  } satisfies DeploymentEventRecord, session.redact)
  session.emit('deploy:finished', { stageId: stage.stageId, ...record })
  if (result.outcome === 'succeeded') {
    session.emit('deploy:rolled-back', {
      stageId: stage.stageId,
      environment: bad.environment,
      deploymentId: bad.deploymentId,
      rollbackId: id,
      version: bad.version,
      ...(result.servingVersion ?? result.version ? { servingVersion: result.servingVersion ?? result.version } : {}),
      reason: verification.reason,
      evidence: verification.evidence,
    })
  }
  await latchEnvironment(session.input.store, {
    environment: bad.environment,
    reason: verification.reason,
    latchedAt: session.clock.now(),
    runId: session.runId,
    stageId: stage.stageId,
    deploymentId: bad.deploymentId,
    version: bad.version,
  })
  return result
}
