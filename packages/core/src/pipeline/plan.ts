import { PipewrightError } from '@pipewright/plugin-api'
import { expandMatrix, instanceId } from './matrix.js'
import type { PipelineSpec, StageSpec } from './schema.js'
import { didYouMean } from './suggest.js'

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

/** A need the plan leaves out (`--only`, `--from`): its outputs come from its last success, if any. */
export interface ExternalNeed {
  /** Instance id of the stage left out. */
  id: string
  /** The earlier run whose outputs are used; undefined when no earlier run finished it. */
  fromRunId?: string
  outputs?: Record<string, string>
}

/** The expanded DAG in a stable topological order. Stored with the run so a resume replays it. */
export interface Plan {
  pipeline: string
  stages: PlannedStage[]
  /**
   * Needs of kept stages that a cut-down plan leaves out. `planPipeline` names them; the engine
   * fills in their outputs before the run starts, so the run itself never plans again.
   */
  external?: ExternalNeed[]
}

export interface PlanOptions {
  /** Keep only these stages (stage ids select all their instances, or instance ids). */
  only?: string[]
  /** Keep this stage (or instance) and everything that transitively depends on it. */
  from?: string
}

function expand(spec: PipelineSpec): PlannedStage[] {
  const instancesOf = new Map<string, string[]>()
  const planned: PlannedStage[] = []
  for (const [stageId, stage] of Object.entries(spec.stages)) {
    const ids: string[] = []
    for (const matrix of expandMatrix(stage.matrix)) {
      const id = instanceId(stageId, matrix)
      ids.push(id)
      planned.push({ id, stageId, matrix, needs: [], spec: stage })
    }
    instancesOf.set(stageId, ids)
  }
  for (const stage of planned) {
    stage.needs = stage.spec.needs.flatMap((need) => {
      const ids = instancesOf.get(need)
      if (!ids) throw new PipewrightError('PW_ERR_CONFIG_INVALID', `stages.${stage.stageId}.needs: "${need}" is not a stage`, { details: 'Validate the pipeline with validatePipeline before planning it.' })
      return ids
    })
  }
  return planned
}

/** A min-heap of plan positions: the first declared ready stage comes out first. */
class ReadyQueue {
  private readonly heap: number[] = []

  get size(): number {
    return this.heap.length
  }

  push(value: number): void {
    const h = this.heap
    h.push(value)
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1
      if (h[parent]! <= value) break
      h[i] = h[parent]!
      h[parent] = value
      i = parent
    }
  }

  pop(): number {
    const h = this.heap
    const top = h[0]!
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      for (let i = 0; ; ) {
        const left = 2 * i + 1
        const right = left + 1
        let smallest = i
        if (left < h.length && h[left]! < h[smallest]!) smallest = left
        if (right < h.length && h[right]! < h[smallest]!) smallest = right
        if (smallest === i) break
        ;[h[i], h[smallest]] = [h[smallest]!, h[i]!]
        i = smallest
      }
    }
    return top
  }
}

/** Kahn's algorithm; among ready stages the first declared goes first, so plans are stable. */
function topologicalOrder(stages: PlannedStage[]): PlannedStage[] {
  const position = new Map(stages.map((stage, index) => [stage.id, index]))
  const waiting = new Map(stages.map((stage) => [stage.id, stage.needs.length]))
  const dependents = new Map<string, string[]>(stages.map((stage) => [stage.id, []]))
  for (const stage of stages) for (const need of stage.needs) dependents.get(need)!.push(stage.id)
  const ready = new ReadyQueue()
  stages.forEach((stage, index) => stage.needs.length === 0 && ready.push(index))
  const ordered: PlannedStage[] = []
  while (ready.size > 0) {
    const next = stages[ready.pop()]!
    ordered.push(next)
    for (const dependent of dependents.get(next.id)!) {
      const left = waiting.get(dependent)! - 1
      waiting.set(dependent, left)
      if (left === 0) ready.push(position.get(dependent)!)
    }
  }
  if (ordered.length < stages.length) {
    const done = new Set(ordered)
    const stuck = stages.filter((stage) => !done.has(stage)).map((stage) => stage.id)
    throw new PipewrightError('PW_ERR_CONFIG_INVALID', `Stages depend on each other in a cycle: ${stuck.join(', ')}`, { details: 'Remove one of the needs so the stages form a DAG.' })
  }
  return ordered
}

function select(stages: PlannedStage[], names: string[], option: string): Set<string> {
  const selected = new Set<string>()
  for (const name of names) {
    const matches = stages.filter((stage) => stage.id === name || stage.stageId === name)
    if (matches.length === 0) {
      const known = [...new Set(stages.flatMap((stage) => [stage.stageId, stage.id]))]
      throw new PipewrightError('PW_ERR_STAGE_NOT_FOUND', `${option}: there is no stage "${name}".${didYouMean(name, known)}`, {
        details: `Use a stage id or a matrix instance id such as test[node=20]. Stages: ${[...new Set(stages.map((s) => s.stageId))].join(', ')}.`,
      })
    }
    for (const stage of matches) selected.add(stage.id)
  }
  return selected
}

function withDependents(stages: PlannedStage[], roots: Set<string>): Set<string> {
  const kept = new Set(roots)
  // Stages are in topological order, so one pass sees every need before its dependents.
  for (const stage of stages) if (stage.needs.some((need) => kept.has(need))) kept.add(stage.id)
  return kept
}

/**
 * Expands matrices and orders the stages. `only` and `from` narrow the plan (both given: the
 * stages in both); needs on stages left out are dropped, so the kept stages can run alone, and
 * listed in `external`.
 * Throws `PW_ERR_STAGE_NOT_FOUND` for a name that matches no stage or instance.
 */
export function planPipeline(spec: PipelineSpec, options: PlanOptions = {}): Plan {
  let stages = topologicalOrder(expand(spec))
  let kept: Set<string> | undefined
  if (options.from !== undefined) kept = withDependents(stages, select(stages, [options.from], '--from'))
  if (options.only !== undefined && options.only.length > 0) {
    const only = select(stages, options.only, '--only')
    kept = kept ? new Set([...kept].filter((id) => only.has(id))) : only
  }
  if (!kept) return { pipeline: spec.name, stages }
  const keep = kept
  // Expressions may read any transitive need (`stages.<id>` of a need's need): every one left out
  // is external, its outputs taken from its last success.
  const byId = new Map(stages.map((stage) => [stage.id, stage]))
  const external = new Set<string>()
  const pending = stages.filter((stage) => keep.has(stage.id)).flatMap((stage) => stage.needs)
  for (let need = pending.pop(); need !== undefined; need = pending.pop()) {
    if (keep.has(need) || external.has(need)) continue
    external.add(need)
    pending.push(...(byId.get(need)?.needs ?? []))
  }
  stages = stages.filter((stage) => keep.has(stage.id)).map((stage) => ({ ...stage, needs: stage.needs.filter((need) => keep.has(need)) }))
  return { pipeline: spec.name, stages, external: [...external].map((id) => ({ id })) }
}
