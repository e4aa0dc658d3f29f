import type { LooseStage } from './loose-input.js'
import { expandMatrix, instanceId } from './matrix.js'
import type { ProblemList } from './problems.js'
import { didYouMean } from './suggest.js'

function needsIndex(stage: LooseStage, need: string): number | undefined {
  const raw = stage.raw.needs
  return Array.isArray(raw) ? raw.indexOf(need) : undefined
}

function needPath(stage: LooseStage, need: string): Array<string | number> {
  const index = needsIndex(stage, need)
  return index === undefined ? ['stages', stage.id, 'needs'] : ['stages', stage.id, 'needs', index]
}

/** Cycles as lists of stage ids, each reported once, starting from its first-declared stage. */
export function findCycles(stages: ReadonlyMap<string, LooseStage>): string[][] {
  const cycles: string[][] = []
  const seen = new Set<string>()
  const state = new Map<string, 'active' | 'done'>()
  const stack: string[] = []
  const visit = (id: string): void => {
    state.set(id, 'active')
    stack.push(id)
    for (const need of stages.get(id)?.needs ?? []) {
      if (!stages.has(need)) continue
      if (state.get(need) === 'active') {
        const cycle = stack.slice(stack.indexOf(need))
        const key = [...cycle].sort().join('\0')
        if (!seen.has(key)) {
          seen.add(key)
          cycles.push(cycle)
        }
      } else if (!state.has(need)) {
        visit(need)
      }
    }
    stack.pop()
    state.set(id, 'done')
  }
  for (const id of stages.keys()) if (!state.has(id)) visit(id)
  return cycles
}

/** Unknown needs, duplicate needs, cycles, and matrix instance ids that collide. */
export function checkGraph(stages: ReadonlyMap<string, LooseStage>, problems: ProblemList): void {
  const ids = [...stages.keys()]
  for (const stage of stages.values()) {
    const seen = new Set<string>()
    for (const need of stage.needs) {
      if (seen.has(need)) problems.add(needPath(stage, need), `"${need}" is listed twice in needs`)
      seen.add(need)
      if (!stages.has(need)) problems.add(needPath(stage, need), `Stage "${stage.id}" needs "${need}", which is not a stage.${didYouMean(need, ids.filter((id) => id !== stage.id))}`)
    }
  }

  for (const cycle of findCycles(stages)) {
    const [first] = cycle
    const text = [...cycle, first].join(' → ')
    const stage = stages.get(first!)!
    problems.add(needPath(stage, cycle[1] ?? first!), `Stages depend on each other in a cycle: ${text}`)
  }

  const instances = new Map<string, string>()
  for (const stage of stages.values()) {
    for (const combination of expandMatrix(stage.matrix)) {
      const id = instanceId(stage.id, combination)
      if (instances.has(id)) {
        problems.add(['stages', stage.id, 'matrix'], `Matrix instance id "${id}" occurs more than once; make the values of each matrix key distinct as text`)
        break
      }
      instances.set(id, stage.id)
    }
  }
}
