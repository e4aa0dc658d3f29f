import { cronProblem } from './cron.js'
import { isRecord, type LooseStage } from './loose-input.js'
import type { ProblemList } from './problems.js'
import { checkOne } from './check-uses.js'
import { didYouMean } from './suggest.js'
import type { UsesRegistry } from './validate.js'

/**
 * `environments:` and `deploy:` stages beyond the schema: each target type is provided by a
 * loaded plugin and its `with:` matches the target's schema; urls are not shared; freeze
 * windows are valid cron; a deploy names a declared environment, and its `from:` a need or a
 * path inside the workspace.
 */
export function checkEnvironments(input: unknown, stages: ReadonlyMap<string, LooseStage>, registry: UsesRegistry, problems: ProblemList): void {
  const environments = isRecord(input) && isRecord(input.environments) ? input.environments : {}
  const urls = new Map<string, string>()
  for (const [name, raw] of Object.entries(environments)) {
    if (!isRecord(raw)) continue
    const at = ['environments', name]
    if (isRecord(raw.target) && registry.target) checkOne('target', raw.target.uses, raw.target.with, [...at, 'target'], registry, problems)
    if (typeof raw.url === 'string' && !raw.url.includes('${{')) {
      const other = urls.get(raw.url.replace(/\/$/, ''))
      if (other !== undefined) problems.add([...at, 'url'], `${raw.url} is already the url of environment "${other}": each environment needs its own port`)
      urls.set(raw.url.replace(/\/$/, ''), name)
    }
    const freeze = isRecord(raw.protection) && Array.isArray(raw.protection.freeze) ? raw.protection.freeze : []
    freeze.forEach((window, index) => {
      const cron = typeof window === 'string' ? window : isRecord(window) && typeof window.cron === 'string' ? window.cron : undefined
      const timezone = isRecord(window) && typeof window.timezone === 'string' ? window.timezone : undefined
      if (cron === undefined) return
      const problem = cronProblem(cron, timezone)
      if (problem) problems.add([...at, 'protection', 'freeze', index], problem)
    })
  }
  const names = Object.keys(environments)
  for (const stage of stages.values()) {
    const deploy = stage.raw.deploy
    if (!isRecord(deploy)) continue
    const at = ['stages', stage.id, 'deploy']
    if (typeof deploy.environment === 'string' && !Object.hasOwn(environments, deploy.environment)) {
      const hint = didYouMean(deploy.environment, names) || (names.length > 0 ? ` Environments: ${names.join(', ')}.` : ' Declare it under `environments:` (url, target, protection).')
      problems.add([...at, 'environment'], `Unknown environment "${deploy.environment}".${hint}`)
    }
    if (typeof deploy.from === 'string' && !deploy.from.includes('${{')) {
      const from = deploy.from
      const [first] = from.split('/')
      if (from.startsWith('/') || from.split(/[\\/]/).includes('..')) problems.add([...at, 'from'], `"${from}" leaves the workspace: use <need>/<dir> or a relative path without ..`)
      else if (first !== undefined && stages.has(first) && !stage.needs.includes(first)) {
        problems.add([...at, 'from'], `"${from}" names the artifacts of stage "${first}", which is not among the needs of "${stage.id}": add it to \`needs:\``)
      }
    }
  }
}
