export type {
  ArtifactRecord,
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
