import { analyzeExpression, findExpressions, parseExpression } from '../expr/index.js'
import type { StageSpec } from '../pipeline/schema.js'

/** What a stage's expressions read of other stages: whole stages, or single outputs. */
export interface ObservedNeeds {
  /** Reads something it cannot name statically (`stages[x]`, `toJSON(stages)`): every need counts. */
  all: boolean
  /** Stage ids whose outputs (or status) are read as a whole. */
  whole: Set<string>
  /** `stageId` → the output names read. */
  outputs: Map<string, Set<string>>
}

const cache = new WeakMap<StageSpec, ObservedNeeds>()

/** Every string of a stage where `${{ }}` may appear: what the stage can observe of its needs. */
function expressionStrings(spec: StageSpec): string[] {
  const strings: string[] = []
  const walk = (value: unknown) => {
    if (typeof value === 'string') strings.push(value)
    else if (Array.isArray(value)) value.forEach(walk)
    else if (value && typeof value === 'object') Object.values(value).forEach(walk)
  }
  walk([spec.run, spec.with, spec.env, spec['working-directory'], spec.cache?.key, spec.gates?.map((g) => g.with)])
  if (spec.if) strings.push(spec.if.includes('${{') ? spec.if : `\${{ ${spec.if} }}`)
  return strings
}

/**
 * The outputs of other stages a stage's expressions read. Only these key its cache: a need's
 * volatile output (a duration, a timestamp) that the stage never reads does not bust it.
 */
export function observedNeeds(spec: StageSpec): ObservedNeeds {
  const known = cache.get(spec)
  if (known) return known
  const observed: ObservedNeeds = { all: false, whole: new Set(), outputs: new Map() }
  for (const text of expressionStrings(spec)) {
    if (!text.includes('${{')) continue
    for (const found of findExpressions(text)) {
      for (const ref of analyzeExpression(parseExpression(found.source)).references) {
        if (ref.path[0] !== 'stages') continue
        const [, id, field, key] = ref.path
        if (id === undefined) observed.all = true
        else if (field === 'outputs' && key !== undefined) {
          let keys = observed.outputs.get(id)
          if (!keys) observed.outputs.set(id, (keys = new Set()))
          keys.add(key)
        } else observed.whole.add(id)
      }
    }
  }
  cache.set(spec, observed)
  return observed
}
