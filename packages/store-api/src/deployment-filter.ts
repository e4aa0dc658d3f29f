import type { DeploymentFilter, DeploymentRecord } from './types.js'

/** Newest first: by `finishedAt`, then by id (both descending), the order every store lists deployments in. */
export function newestDeploymentFirst(a: Pick<DeploymentRecord, 'finishedAt' | 'id'>, b: Pick<DeploymentRecord, 'finishedAt' | 'id'>): number {
  return b.finishedAt - a.finishedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
}

/** Whether a deployment passes a filter's conditions (not its limit). */
export function matchesDeploymentFilter(d: DeploymentRecord, filter: DeploymentFilter): boolean {
  if (filter.environment !== undefined && d.environment !== filter.environment) return false
  if (filter.pipeline !== undefined && d.pipeline !== filter.pipeline) return false
  if (filter.version !== undefined && d.version !== filter.version) return false
  if (filter.kind !== undefined && d.kind !== filter.kind) return false
  if (filter.outcome !== undefined && !(Array.isArray(filter.outcome) ? filter.outcome.includes(d.outcome) : d.outcome === filter.outcome)) return false
  if (filter.before !== undefined && newestDeploymentFirst(d, filter.before) <= 0) return false
  return true
}

/** How approvers are told apart: one decision per person, whatever the case or surrounding spaces. */
export function approverKey(identity: string): string {
  return identity.trim().toLowerCase()
}
