export { createEngine, newRunId } from './engine.js'
export { realClock } from './runtime/clock.js'
export type { Engine, EngineOptions, LoadedPipeline, PluginInput, PluginPins, RunHandle, RunOptions, RunResult, StageResult } from './types.js'
export { EventBus } from './events.js'

export { definePipeline, pipelineSchema, stageSchema, STAGE_ID_PATTERN, USES_PATTERN } from './spec/schema.js'
export type { GateRef, PipelineInput, PipelineSpec, PluginRef, RetrySpec, StageSpec } from './spec/schema.js'
export { findPipelineFile, readPipelineFile } from './spec/load.js'
export type { SourceLocator } from './spec/load.js'
export { validatePipeline } from './spec/validate.js'
export type { UsesRegistry } from './spec/validate.js'
export { planPipeline } from './spec/plan.js'
export type { Plan, PlannedStage } from './spec/plan.js'
export { pipelineJsonSchema } from './spec/json-schema.js'
export { renderGraph } from './spec/graph.js'
export { renderPipelineReference } from './spec/reference.js'

export { evaluateCondition, evaluateExpression, findExpressions, interpolate, parseExpression } from './expr/index.js'
export type { ExpressionContext } from './expr/index.js'

export { createMemoryStore } from './store/memory.js'
export type {
  ArtifactRecord,
  CacheEntry,
  LogLine,
  RecordFilter,
  RunFilter,
  RunOptionsSnapshot,
  RunRecord,
  StageRecord,
  Store,
  StoredEvent,
} from './store/types.js'

export { markInterruptedRuns, isProcessAlive } from './runtime/interrupted.js'
export { readGitInfo } from './runtime/git-info.js'
export { createRedactor, redactDeep, secretForms, MASK } from './runtime/redact.js'
export { loadSecrets, SECRET_ENV_PREFIX } from './runtime/secrets.js'
export { ArtifactStore } from './runtime/artifacts.js'
export { findPackageDir, resolvePluginSpec } from './plugins/resolve.js'
export type { ResolvedPlugin } from './plugins/resolve.js'
export { detectProject, ignorePipewrightState, managerCommand, probeVersion, renderStarterPipeline, starterPipeline, STARTER_FILE_NAME, STATE_DIR_ENTRY } from './init/index.js'
export type { ManagerCommand, PackageManager, ProjectInfo, VersionProbe } from './init/index.js'
export { LOCK_FILE_NAME, checkPins, computePackageIntegrity, lockFileFor, pinStatuses, readLock, writeLock } from './plugins/lockfile.js'
export type { LockEntry, PinChange, PinStatus, ResolvedPluginPackage } from './plugins/lockfile.js'
export { execInStage } from './runtime/exec.js'
export type { ExecEnvironment } from './runtime/exec.js'
export { didYouMean } from './spec/suggest.js'
