import { planPipeline, type Plan } from './plan.js'
import type { PipelineSpec } from './schema.js'
import type { Store } from '@pipewright/store-api'

/** How many earlier runs are searched for a stage's last success. */
const SEARCH_RUNS = 50

/**
 * For a plan cut down by `--only` / `--from`: the stages it needs but does not run, with the
 * outputs of their most recent success in an earlier run of the pipeline (`undefined`: none
 * found, so expressions reading them see nothing).
 */
export async function externalNeeds(store: Store, spec: PipelineSpec, plan: Plan, excludeRunId?: string): Promise<Map<string, Record<string, string> | undefined>> {
  const kept = new Set(plan.stages.map((s) => s.id))
  const full = planPipeline(spec)
  const wanted = new Set<string>()
  for (const stage of full.stages) if (kept.has(stage.id)) for (const need of stage.needs) if (!kept.has(need)) wanted.add(need)
  const found = new Map<string, Record<string, string> | undefined>()
  if (wanted.size === 0) return found
  for (const run of await store.listRuns({ pipeline: spec.name, limit: SEARCH_RUNS })) {
    if (run.id === excludeRunId) continue
    for (const stage of await store.getStages(run.id)) {
      if (wanted.has(stage.stageId) && !found.has(stage.stageId) && (stage.status === 'succeeded' || stage.status === 'cached')) found.set(stage.stageId, stage.outputs)
    }
    if (found.size === wanted.size) break
  }
  for (const id of wanted) if (!found.has(id)) found.set(id, undefined)
  return found
}
