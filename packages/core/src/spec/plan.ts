import type { PipelineSpec, StageSpec } from './schema.js'

/** One node of the execution plan: a stage, or one matrix instance of it. */
export interface PlannedStage {
  /** Instance id: the stage id, or `id[key=value,…]` for matrix instances. */
  id: string
  /** The stage id in the pipeline file. */
  stageId: string
  matrix: Record<string, string | number | boolean>
  /** Instance ids this one waits for (a need on a matrix stage expands to all its instances). */
  needs: string[]
  spec: StageSpec
}

/** The expanded DAG in a stable topological order. Stored with the run so a resume replays it. */
export interface Plan {
  pipeline: string
  stages: PlannedStage[]
}
