import type { HealthFilter, HealthRecord } from './types.js'

/** Whether a health record passes a filter (`limit` aside): what every store's `listHealthRecords` selects. */
export function matchesHealthFilter(record: HealthRecord, filter: HealthFilter): boolean {
  if (filter.environment !== undefined && record.environment !== filter.environment) return false
  if (filter.kind !== undefined && record.kind !== filter.kind) return false
  if (filter.runId !== undefined && record.runId !== filter.runId) return false
  if (filter.before !== undefined && record.at >= filter.before) return false
  return true
}
