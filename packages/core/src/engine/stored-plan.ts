import { PipewrightError } from '@pipewright/plugin-api'
import type { RunRecord } from '@pipewright/store-api'
import type { Plan } from '../pipeline/plan.js'
import type { PipelineSpec } from '../pipeline/schema.js'

/**
 * What a run stores as its plan: the DAG (ids, needs, matrix values), the left-out needs with
 * their outputs, and the pipeline itself once — not a copy of a stage's spec per matrix instance.
 */
export function toStoredPlan(plan: Plan, spec: PipelineSpec): RunRecord['plan'] {
  return {
    pipeline: plan.pipeline,
    stages: plan.stages.map(({ id, stageId, matrix, needs }) => ({ id, stageId, matrix, needs })),
    ...(plan.external ? { external: plan.external } : {}),
    spec,
  }
}

/** The plan and pipeline a stored run replays on resume. */
export function fromStoredPlan(stored: RunRecord['plan'], runId: string): { plan: Plan; spec: PipelineSpec } {
  const spec = stored.spec as PipelineSpec | undefined
  if (!spec) throw new PipewrightError('PW_ERR_RUN_NOT_RESUMABLE', `Run ${runId} was stored without its pipeline and cannot be resumed`)
  const stages = stored.stages.map((s) => {
    const stageSpec = spec.stages[s.stageId]
    if (!stageSpec) throw new PipewrightError('PW_ERR_RUN_NOT_RESUMABLE', `Run ${runId}: its stored plan names stage ${s.stageId}, which its pipeline lacks`)
    return { ...s, spec: stageSpec }
  })
  return { plan: { pipeline: stored.pipeline, stages, ...(stored.external ? { external: stored.external as Plan['external'] } : {}) }, spec }
}
