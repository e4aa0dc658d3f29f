export { createEngine } from './engine/engine.js'
export { newRunId } from './engine/run-id.js'
export { realClock } from './engine/clock.js'
export type { Engine, EngineOptions, LazyPlugin, LoadedPipeline, PluginInput, PluginPins, RunHandle, RunOptions, RunResult, ServiceOverride, StageResult, WatchEnvironmentOptions } from './engine/types.js'
export { EventBus } from './engine/event-bus.js'
export { CLOCK, EVENTS, EXECUTOR, RECORDER, REDACTION, STORE } from './engine/tokens.js'
export type { RedactorFactory } from './engine/tokens.js'
export { createLocalExecutor } from './exec/local-executor.js'
export type { RunAction, StageExecutor, StageIO, StageJob, StageSource, UsesAction } from './exec/executor.js'
export { createRecorder } from './record/recorder.js'
export type { RecorderFactory, RecorderOptions, RunRecorder } from './record/recorder.js'
export { RunsApi } from './record/runs-api.js'
export type { RunListQuery, RunPage } from './record/runs-api.js'
export { DEFAULT_LOG_LIMIT_BYTES } from './record/log-cap.js'

export { definePipeline, pipelineSchema, stageSchema, STAGE_ID_PATTERN, USES_PATTERN } from './pipeline/schema.js'
export type { GateRef, PipelineInput, PipelineSpec, PluginRef, RetrySpec, StageSpec } from './pipeline/schema.js'
export { triggerSchema } from './pipeline/trigger-schema.js'
export type { TriggerSpec } from './pipeline/trigger-schema.js'
export { cron } from './pipeline/cron.js'
export { deploySpecSchema, environmentSchema, ENVIRONMENT_NAME_PATTERN, strategySchema } from './pipeline/environment-schema.js'
export type { DeploySpec, EnvironmentSpec, ProtectionSpec, StrategyInput } from './pipeline/environment-schema.js'

export { DEPLOYER } from './deploy/deployer.js'
export type { CanaryStep, CanaryStepVerdict, DeployedEnvironmentStatus, Deployer, DeployerCallOptions, DeployerRequest, DeployerResult, EnvironmentRequest, StrategyRequest } from './deploy/deployer.js'
export { approvalStatus, decideApproval } from './deploy/approvals.js'
export type { ApprovalDecision, ApprovalStatus } from './deploy/approvals.js'
export { resolveIdentity, sameIdentity } from './deploy/identity.js'
export { acquireLock, isLockOwnerAlive, unlockEnvironment } from './deploy/locks.js'
export { currentDeployment, describeEnvironments, diffEnvironments, environmentOf } from './deploy/environments.js'
export { ackEnvironment, activeLatch, getEnvironmentLatch, latchEnvironment } from './deploy/latch.js'
export type { EnvironmentLatch } from './deploy/latch.js'
export { judgeSample, Tally } from './analysis/judge.js'
export type { CommitLine, EnvironmentDiff, EnvironmentOverview } from './deploy/environments.js'
export { deploymentPipeline } from './deploy/deployment-run.js'
export { WATCH_LEASE_SCOPE, hostWatches, watchHolderId } from './deploy/watch-host.js'
export type { HostedWatch, WatchHost, WatchHostOptions } from './deploy/watch-host.js'
export type { DeploymentAction } from './deploy/deployment-run.js'
export { activeFreeze } from './deploy/freeze.js'
export { digestDirectory } from './deploy/source.js'
export { findPipelineFile, PIPELINE_FILE_NAMES } from './pipeline/find-file.js'
export { readPipelineFile } from './pipeline/load.js'
export type { SourceLocator } from './pipeline/load.js'
export { validatePipeline } from './pipeline/validate.js'
export type { UsesRegistry } from './pipeline/validate.js'
export { planPipeline } from './pipeline/plan.js'
export type { ExternalNeed, Plan, PlannedStage } from './pipeline/plan.js'
export { pipelineJsonSchema } from './pipeline/json-schema.js'
export { renderGraph } from './pipeline/graph.js'
export { PIPELINE_DOCS_MARK, renderPipelineDocs } from './pipeline/docs.js'
export { renderPipelineReference } from './pipeline/reference.js'

export { evaluateCondition, evaluateExpression, findExpressions, interpolate, parseExpression } from './expr/index.js'
export type { ExpressionContext } from './expr/index.js'

export { createMemoryStore } from '@pipewright/store-api'
export type {
  ApprovalRecord,
  ArtifactRecord,
  CacheEntry,
  DeploymentFilter,
  DeploymentRecord,
  EnvironmentLockState,
  LogLine,
  RecordFilter,
  RunFilter,
  RunOptionsSnapshot,
  RunRecord,
  StageRecord,
  Store,
  StoredEvent,
} from '@pipewright/store-api'

export { markInterruptedRuns, isProcessAlive, isRunOwnerAlive } from './record/interrupted.js'
export { readGitInfo } from './engine/git-info.js'
export { createRedactor, redactDeep, secretForms, MASK } from './security/redact.js'
export { loadSecrets, SECRET_ENV_PREFIX } from './security/secrets.js'
export { ArtifactStore } from './artifacts/artifact-store.js'
export { findPackageDir, resolvePluginSpec } from './plugins/resolve.js'
export type { ResolvedPlugin } from './plugins/resolve.js'
export { loadTargets } from './plugins/targets.js'
export type { LoadedTarget, TargetCatalog } from './plugins/targets.js'
export { detectProject, ignorePipewrightState, managerCommand, probeVersion, renderStarterPipeline, starterPipeline, STARTER_FILE_NAME, STATE_DIR_ENTRY } from './init/index.js'
export type { ManagerCommand, PackageManager, ProjectInfo, VersionProbe } from './init/index.js'
export { LOCK_FILE_NAME, checkPins, computePackageIntegrity, lockFileFor, pinStatuses, readLock, writeLock } from './plugins/lockfile.js'
export type { LockEntry, PinChange, PinStatus, ResolvedPluginPackage } from './plugins/lockfile.js'
export { execInStage } from './exec/exec-in-stage.js'
export type { ExecEnvironment } from './exec/exec-in-stage.js'
export { didYouMean } from './pipeline/suggest.js'
export { recordAudit, RunAuditTrail } from './record/audit.js'
export type { AuditInput } from './record/audit.js'
export { buildEvidence, findDeployment } from './insight/evidence.js'
export type { EvidenceBundle, EvidenceCommit } from './insight/evidence.js'
export { renderEvidenceHtml, renderEvidenceMarkdown } from './insight/evidence-render.js'
