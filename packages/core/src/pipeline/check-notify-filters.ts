import { isRecord, type LooseStage } from './loose-input.js'
import type { ProblemList } from './problems.js'
import { didYouMean } from './suggest.js'

/**
 * `notify:` filters name what the pipeline declares: `environments:` its environments, `stages:`
 * its stages — a typo would otherwise silence a route for good.
 */
export function checkNotifyFilters(input: unknown, stages: ReadonlyMap<string, LooseStage>, problems: ProblemList): void {
  const routes = isRecord(input) && Array.isArray(input.notify) ? input.notify : []
  const environments = isRecord(input) && isRecord(input.environments) ? Object.keys(input.environments) : []
  const stageIds = [...stages.keys()]
  routes.forEach((route, index) => {
    if (!isRecord(route)) return
    const listed = (key: string) => (Array.isArray(route[key]) ? (route[key] as unknown[]) : [])
    listed('environments').forEach((name, i) => {
      if (typeof name !== 'string' || environments.includes(name)) return
      const hint = didYouMean(name, environments) || (environments.length > 0 ? ` Environments: ${environments.join(', ')}.` : ' Declare it under `environments:`, or remove the filter.')
      problems.add(['notify', index, 'environments', i], `Unknown environment "${name}".${hint}`)
    })
    listed('stages').forEach((id, i) => {
      if (typeof id !== 'string' || stages.has(id)) return
      problems.add(['notify', index, 'stages', i], `Unknown stage "${id}".${didYouMean(id, stageIds) || ` Stages: ${stageIds.join(', ')}.`}`)
    })
  })
}
