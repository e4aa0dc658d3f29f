import { randomBytes } from 'node:crypto'
import { PipewrightError, type AttemptOutcome, type DeploymentEventRecord, type SerializedError } from '@pipewright/plugin-api'
import { DEPLOYER, type DeployerCallOptions, type DeployerResult } from '../deploy/deployer.js'
import { canaryAnalysisOf, environmentRequest, normalizeStrategy } from '../deploy/environment-request.js'
import { resolveDeploySource, type ResolvedSource } from '../deploy/source.js'
import { interpolate } from '../expr/index.js'
import type { StageRun } from '../kernel/stage-run.js'
import { serializeError } from '../kernel/serialize-error.js'
import { redactDeep } from '../security/redact.js'
import { CanaryAnalysis } from './canary-analysis.js'

/** A deployment id: its start time in base 36 and six random hex digits (`dep-mx2mt967-da4c3e`), so ids sort by time. */
export function newDeploymentId(at: number): string {
  return `dep-${at.toString(36)}-${randomBytes(3).toString('hex')}`
}

function noDeployer(): PipewrightError {
  return new PipewrightError('PW_ERR_SERVICE_NOT_FOUND', `No deployer is registered (${DEPLOYER.description ?? 'engine.deployer'}): deploy stages cannot run`, {
    details: 'The pipewright CLI registers the deployment agent; an embedder registers one: createEngine({ services: [{ token: DEPLOYER, useValue: createAgentDeployer({ home }) }] }) (@pipewright/agent).',
  })
}

const OUTCOME: Record<DeployerResult['outcome'], DeploymentEventRecord['outcome']> = { succeeded: 'succeeded', failed: 'failed', aborted: 'rolled-back' }

/**
 * The attempt of a `deploy:` stage: resolves the environment and the version's files or image,
 * calls the deployer (its progress becomes log lines; cancelling the run aborts it), sets the
 * outputs (`url`, `version`, `previous-version`, `deployment-id`, `outcome`, `strategy`) and
 * emits `deploy:started` / `deploy:finished` — the recorder stores the deployment record.
 */
export async function runDeployAttempt(stage: StageRun): Promise<AttemptOutcome> {
  const { session } = stage
  const deploy = stage.spec.deploy!
  const name = deploy.environment
  const spec = session.input.spec.environments![name]!
  const deployer = session.input.deployer()
  if (!deployer) throw noDeployer()
  const environment = environmentRequest(name, spec, stage.expr)
  const id = newDeploymentId(session.clock.now())
  const rollback = deploy.rollback !== undefined
  const strategy = normalizeStrategy(deploy.strategy ?? spec.strategy)
  const git = session.input.git
  const meta = deployerMeta(stage, id)
  const options: DeployerCallOptions = {
    onProgress: (p) => stage.log(p.level === 'info' ? p.message : `${p.level}: ${p.message}`, p.level === 'error' ? 'stderr' : 'system'),
    signal: stage.signal,
  }
  const startedAt = session.clock.now()
  const toVersion = rollback && deploy.rollback !== true ? interpolate(String(deploy.rollback), stage.expr) : undefined
  const version = rollback ? (toVersion ?? 'previous') : interpolate(deploy.version!, stage.expr)
  const canary = rollback ? undefined : CanaryAnalysis.of(stage, canaryAnalysisOf(deploy.strategy ?? spec.strategy), { environment: name, deploymentId: id, version, url: environment.url })
  if (canary) options.onCanaryStep = canary.onCanaryStep
  let source: ResolvedSource | undefined
  let replaces: string | undefined
  let result: DeployerResult
  try {
    if (rollback) {
      const [current] = await session.input.store.listDeployments({ environment: name, outcome: 'succeeded', limit: 1 })
      replaces = current?.id
      session.emit('deploy:started', { stageId: stage.stageId, deploymentId: id, environment: name, kind: 'rollback', version: session.redact(version), strategy: 'rollback' })
      stage.log(`rolling ${name} back to ${toVersion ?? 'its previous version'}`)
      result = await deployer.rollback(environment, { ...(toVersion ? { toVersion } : {}), meta }, options)
    } else {
      source = await resolveDeploySource(stage, deploy, version)
      session.emit('deploy:started', { stageId: stage.stageId, deploymentId: id, environment: name, kind: 'deploy', version: session.redact(version), strategy: strategy.kind })
      stage.log(`deploying ${version} to ${name} (${environment.url}) with ${strategy.kind}, from ${'image' in source.source ? source.source.image : source.record.kind === 'artifacts' ? `the artifacts of ${source.record.stageId}${source.record.path ? `/${source.record.path}` : ''}` : source.source.directory}`)
      result = await deployer.deploy({ environment, version, source: source.source, strategy, meta }, options)
    }
  } catch (error) {
    result = { outcome: 'failed', version, strategy: rollback ? 'rollback' : strategy.kind, startedAt, finishedAt: session.clock.now(), error: serializeError(error, session.redact) }
  }
  await canary?.end()
  const error: SerializedError | undefined = result.error ? { ...result.error, message: session.redact(result.error.message), ...(result.error.details ? { details: session.redact(result.error.details) } : {}) } : undefined
  // Versions and urls may come from expressions: the record is masked like everything a run keeps.
  const record: DeploymentEventRecord = redactDeep({
    deploymentId: id,
    pipeline: session.input.spec.name,
    environment: name,
    kind: rollback ? 'rollback' : 'deploy',
    version: result.version || version,
    ...(result.previousVersion ? { previousVersion: result.previousVersion } : {}),
    strategy: result.strategy || strategy.kind,
    outcome: OUTCOME[result.outcome],
    ...(git?.sha ? { commit: git.sha } : {}),
    ...(git?.branch ? { branch: git.branch } : {}),
    ...(git?.committedAt ? { commitAt: git.committedAt } : {}),
    ...(source?.artifactDigest ? { artifactDigest: source.artifactDigest } : {}),
    ...(source?.imageDigest ? { imageDigest: source.imageDigest } : {}),
    ...(source ? { source: source.record } : {}),
    ...(session.input.triggeredBy ? { triggeredBy: session.input.triggeredBy } : {}),
    approvedBy: (stage.memo.get('deploy.approvedBy') as string[] | undefined) ?? [],
    startedAt,
    finishedAt: session.clock.now(),
    url: environment.url,
    ...(error ? { error } : {}),
    ...(replaces && rollback && result.outcome === 'succeeded' ? { replaces } : {}),
    ...(canary?.aborted ? { verification: { reason: canary.aborted.reason, evidence: canary.aborted.evidence } } : {}),
  } satisfies DeploymentEventRecord, session.redact)
  session.emit('deploy:finished', { stageId: stage.stageId, ...record })
  for (const [key, value] of Object.entries({ url: record.url, version: record.version, 'previous-version': record.previousVersion, 'deployment-id': id, outcome: record.outcome, strategy: record.strategy })) {
    if (value !== undefined) stage.outputs.set(key, value)
  }
  return (await canary?.failure(result, record.version)) ?? attemptOutcome(result, record, error)
}

/** What the deployer copies into its own records: run, stage, deployment, pipeline, commit, place in the lock's queue. */
function deployerMeta(stage: StageRun, deploymentId: string): Record<string, string> {
  const { session } = stage
  const lockSeq = stage.memo.get('deploy.lockSeq') as number | undefined
  return {
    runId: session.runId,
    stageId: stage.stageId,
    deploymentId,
    pipeline: session.input.spec.name,
    ...(session.input.git?.sha ? { commit: session.input.git.sha } : {}),
    // The arrival order of this deploy in the environment's queue.
    ...(lockSeq !== undefined ? { lockSeq: String(lockSeq) } : {}),
  }
}

function attemptOutcome(result: DeployerResult, record: DeploymentEventRecord, error: SerializedError | undefined): AttemptOutcome {
  if (result.outcome === 'succeeded') return { ok: true, exitCode: 0 }
  return {
    ok: false,
    kind: 'failure',
    exitCode: null,
    error: error ?? { code: 'PW_ERR_DEPLOYMENT_FAILED', message: `The deploy of ${record.version} to ${record.environment} ${result.outcome}${result.servingVersion ? `; ${result.servingVersion} serves` : ''}` },
  }
}
