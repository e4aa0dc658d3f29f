export type {
  ApiTokenRecord,
  ApiTokenRole,
  ApprovalRecord,
  ArtifactRecord,
  AuditEntry,
  AuditEntryInput,
  AuditFilter,
  AuditHead,
  AuditStore,
  BlobStore,
  DeploymentFilter,
  DeploymentOutcome,
  DeploymentRecord,
  EnvironmentLockState,
  HealthFilter,
  HealthRecord,
  LeaseRecord,
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
  ServerActionRecord,
  ServerStore,
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
export { matchesHealthFilter } from './health-filter.js'
export { AUDIT_GENESIS, AUDIT_HEAD_KEY, auditRowToEntry, chainAuditEntry, hashAuditEntry, matchesAuditFilter, verifyAuditChain } from './audit.js'
export type { AuditProblem, AuditRow, AuditVerification, VerifyAuditOptions } from './audit.js'
