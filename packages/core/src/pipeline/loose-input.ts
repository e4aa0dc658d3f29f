import type { MatrixValue } from './matrix.js'

/**
 * A forgiving view of the raw pipeline input, so the graph, `uses` and expression checks can run
 * (and report) even when the schema check already found problems elsewhere.
 */
export interface LooseStage {
  id: string
  raw: Record<string, unknown>
  needs: string[]
  matrix: Record<string, MatrixValue[]>
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

const isMatrixValue = (value: unknown): value is MatrixValue => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'

export function looseStages(input: unknown): Map<string, LooseStage> {
  const stages = new Map<string, LooseStage>()
  const raw = isRecord(input) && isRecord(input.stages) ? input.stages : {}
  for (const [id, value] of Object.entries(raw)) {
    const stage = isRecord(value) ? value : {}
    const needs = typeof stage.needs === 'string' ? [stage.needs] : Array.isArray(stage.needs) ? stage.needs.filter((n): n is string => typeof n === 'string') : []
    const matrix: Record<string, MatrixValue[]> = {}
    if (isRecord(stage.matrix)) {
      for (const [key, values] of Object.entries(stage.matrix)) if (Array.isArray(values)) matrix[key] = values.filter(isMatrixValue)
    }
    stages.set(id, { id, raw: stage, needs, matrix })
  }
  return stages
}

/** Every stage reachable through `needs` (not including the stage itself unless in a cycle). */
export function transitiveNeeds(stages: ReadonlyMap<string, LooseStage>, id: string): Set<string> {
  const seen = new Set<string>()
  const stack = [...(stages.get(id)?.needs ?? [])]
  while (stack.length > 0) {
    const next = stack.pop()!
    if (seen.has(next)) continue
    seen.add(next)
    stack.push(...(stages.get(next)?.needs ?? []))
  }
  return seen
}
