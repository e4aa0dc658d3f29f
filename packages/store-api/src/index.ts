export type {
  ApprovalRecord,
  ArtifactRecord,
  BlobStore,
  DeploymentFilter,
  DeploymentOutcome,
  DeploymentRecord,
  EnvironmentLockState,
  LockAcquisition,
  LockEntry,
  LockRequest,
  CacheEntry,
  LogLine,
  PruneFilter,
  RecordFilter,
  RunCursor,
  RunFilter,
  RunOptionsSnapshot,
  RunRecord,
  StageRecord,
  Store,
  StoredEvent,
  StoredPlan,
  StoredPlanStage,
  WaitState,
} from './types.js'
export { createMemoryStore } from './memory-store.js'
export type { MemoryStoreOptions } from './memory-store.js'
export { matchesRunFilter, newestFirst, PRUNABLE } from './run-filter.js'
export { STORE } from './token.js'
export { decideAcquisition, lockState } from './environment-lock.js'
export type { LockDecision } from './environment-lock.js'
export { approverKey, matchesDeploymentFilter, newestDeploymentFirst } from './deployment-filter.js'
