import type { Store } from '@pipewright/store-api'
import type { ExternalNeed } from './plan.js'

/** How many earlier runs are searched for a stage's last success. */
const SEARCH_RUNS = 50

/**
 * Fills in the outputs of a cut-down plan's left-out needs: those of each one's most recent
 * success in an earlier run of the pipeline (none found: no outputs, and the stage's log says so).
 */
export async function resolveExternalNeeds(store: Store, pipeline: string, needs: readonly ExternalNeed[]): Promise<ExternalNeed[]> {
  const wanted = new Set(needs.map((n) => n.id))
  const found = new Map<string, ExternalNeed>()
  if (wanted.size === 0) return []
  for (const run of await store.listRuns({ pipeline, limit: SEARCH_RUNS })) {
    for (const stage of await store.getStages(run.id)) {
      if (wanted.has(stage.stageId) && !found.has(stage.stageId) && (stage.status === 'succeeded' || stage.status === 'cached')) {
        found.set(stage.stageId, { id: stage.stageId, fromRunId: run.id, outputs: stage.outputs })
      }
    }
    if (found.size === wanted.size) break
  }
  return needs.map((n) => found.get(n.id) ?? { id: n.id })
}
