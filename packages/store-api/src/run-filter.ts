import type { RunStatus } from '@pipewright/plugin-api'
import type { RunFilter, RunRecord } from './types.js'

/** Statuses of runs that are over: only these may be pruned. */
export const PRUNABLE: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled'])

/** Newest first: by `createdAt`, then by id (both descending), the order every store lists runs in. */
export function newestFirst(a: Pick<RunRecord, 'createdAt' | 'id'>, b: Pick<RunRecord, 'createdAt' | 'id'>): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
}

/** Whether a run passes a filter's conditions (not its limit); stores without a query language use it. */
export function matchesRunFilter(run: RunRecord, filter: RunFilter): boolean {
  if (filter.pipeline !== undefined && run.pipeline !== filter.pipeline) return false
  if (filter.status !== undefined && !(Array.isArray(filter.status) ? filter.status.includes(run.status) : run.status === filter.status)) return false
  if (filter.branch !== undefined && run.branch !== filter.branch) return false
  if (filter.before !== undefined && newestFirst(run, filter.before) <= 0) return false
  return true
}
