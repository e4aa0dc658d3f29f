import type { Problem, z } from '@pipewright/plugin-api'
import { isRecord, type LooseStage } from './loose-input.js'
import type { PathSegment, ProblemList } from './problems.js'
import { USES_PATTERN } from './schema.js'
import { conditionSource, parseExpression } from '../expr/index.js'
import { didYouMean } from './suggest.js'
import { knownKeysAt, strippedKeys } from './zod-shape.js'
import { reportIssues } from './zod-issues.js'
import type { UsesRegistry } from './validate.js'

type Kind = 'stage' | 'gate' | 'notifier' | 'target'

function containsExpression(value: unknown, path: readonly PathSegment[]): boolean {
  let current = value
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return false
    current = (current as Record<PathSegment, unknown>)[segment]
  }
  return typeof current === 'string' && current.includes('${{')
}

function lookup(kind: Kind, uses: string, registry: UsesRegistry): { configSchema?: z.ZodType } | undefined {
  if (kind === 'target') return registry.target?.(uses)
  return kind === 'stage' ? registry.stage(uses) : kind === 'gate' ? registry.gate(uses) : registry.notifier(uses)
}

function typesOf(kind: Kind, registry: UsesRegistry): string[] {
  if (kind === 'target') return registry.targetTypes?.() ?? []
  return kind === 'stage' ? registry.stageTypes() : kind === 'gate' ? registry.gateTypes() : registry.notifierTypes()
}

export function checkOne(kind: Kind, uses: unknown, config: unknown, path: PathSegment[], registry: UsesRegistry, problems: ProblemList): void {
  if (typeof uses !== 'string' || !USES_PATTERN.test(uses)) return // the schema check reports it
  const definition = lookup(kind, uses, registry)
  if (!definition) {
    const known = typesOf(kind, registry)
    const hint = didYouMean(uses, known) || (known.length > 0 ? ` Known ${kind} types: ${known.join(', ')}.` : ` No plugin providing ${kind} types is loaded.`)
    problems.add([...path, 'uses'], `Unknown ${kind} type "${uses}".${hint} Is its plugin listed in \`plugins:\`?`, kind === 'target' ? 'PW_ERR_TARGET_NOT_FOUND' : ('PW_ERR_PLUGIN_NOT_FOUND' satisfies Problem['code']))
    return
  }
  const schema = definition.configSchema
  if (!schema) return
  const input = config ?? {}
  for (const unknown of strippedKeys(schema, input)) {
    const key = String(unknown.path.at(-1))
    problems.add([...path, 'with', ...unknown.path], `Unknown key "${key}".${didYouMean(key, unknown.known)}`)
  }
  let result: ReturnType<typeof schema.safeParse>
  try {
    result = schema.safeParse(input)
  } catch {
    return // an async schema: the engine checks it when the stage starts
  }
  if (result.success) return
  for (const report of reportIssues(result.error.issues, input, [], (p) => knownKeysAt(schema, p))) {
    // `${{ … }}` values are only known at run time; the engine checks the resolved config then.
    if (containsExpression(input, report.path)) continue
    problems.add([...path, 'with', ...report.path], report.message)
  }
}

/** Every `uses:` of `notify:` names a loaded notifier type, and its `with:` matches the plugin's schema. */
export function checkNotify(input: unknown, registry: UsesRegistry, problems: ProblemList): void {
  const routes = isRecord(input) && Array.isArray(input.notify) ? input.notify : []
  routes.forEach((route, index) => {
    if (isRecord(route)) checkOne('notifier', route.uses, route.with, ['notify', index], registry, problems)
  })
}

/** `linter/eslint, linter/sarif or linter/run`. */
function listTypes(types: string[]): string {
  return types.length <= 1 ? (types[0] ?? '') : `${types.slice(0, -1).join(', ')} or ${types.at(-1)}`
}

/** Where a gate that reads `kinds` belongs: `a linter/* stage (linter/eslint, linter/sarif or linter/run)`. */
function writersHint(kinds: string[], registry: UsesRegistry): string {
  const writers = registry.stageTypes().filter((type) => registry.stage(type)?.records?.some((kind) => kinds.includes(kind)))
  if (writers.length === 0) return 'no loaded stage type writes it'
  const plugins = new Set(writers.map((type) => type.split('/')[0]))
  const one = plugins.size === 1 ? `a ${[...plugins][0]}/* stage` : 'a stage'
  return `use it on ${one} (${listTypes(writers)})`
}

/**
 * A gate that declares the records it `reads` needs a stage that writes one of them: a `run:`
 * stage writes none, a stage type that declares `records` writes those. Stage types that declare
 * nothing, and gates without `reads`, are never reported.
 */
function checkGateReads(stage: LooseStage, gate: Record<string, unknown>, index: number, registry: UsesRegistry, problems: ProblemList): void {
  if (typeof gate.uses !== 'string') return
  const reads = registry.gate(gate.uses)?.reads
  if (!reads || reads.length === 0) return
  const kinds = reads.join(' or ')
  let what: string
  if (typeof stage.raw.uses === 'string') {
    const records = registry.stage(stage.raw.uses)?.records
    if (records === undefined || records.some((kind) => reads.includes(kind))) return
    what = `stage \`${stage.id}\` (${stage.raw.uses}) does not write`
  } else if (stage.raw.run !== undefined) {
    what = `stage \`${stage.id}\` (run:) does not write`
  } else {
    return // neither run: nor uses: — the schema check reports it
  }
  problems.add(['stages', stage.id, 'gates', index, 'uses'], `gate ${gate.uses} reads ${kinds}, which ${what}; ${writersHint(reads, registry)}`)
}

/**
 * Every `uses:` names a loaded stage or gate type, its `with:` matches the plugin's schema, and
 * each gate sits on a stage that writes what it reads.
 */
export function checkUses(stages: ReadonlyMap<string, LooseStage>, registry: UsesRegistry, problems: ProblemList): void {
  for (const stage of stages.values()) {
    if (stage.raw.uses !== undefined) checkOne('stage', stage.raw.uses, stage.raw.with, ['stages', stage.id], registry, problems)
    const gates = Array.isArray(stage.raw.gates) ? stage.raw.gates : []
    gates.forEach((gate, index) => {
      if (!isRecord(gate)) return
      checkOne('gate', gate.uses, gate.with, ['stages', stage.id, 'gates', index], registry, problems)
      checkGateReads(stage, gate, index, registry, problems)
    })
  }
}

/**
 * Every monitor of an analysis, a deploy's `verify:`, a canary's `analysis:` and an environment's `monitors:` names a
 * loaded monitor type, and their conditions parse. Their `with:` is checked when they start: relative urls and the analysis
 * interval are filled in then.
 */
export function checkAnalyses(input: unknown, stages: ReadonlyMap<string, LooseStage>, registry: UsesRegistry, problems: ProblemList): void {
  const known = registry.monitorTypes?.() ?? []
  const check = (analysis: unknown, path: PathSegment[]) => {
    if (!isRecord(analysis) || !Array.isArray(analysis.monitors)) return
    for (const key of ['success-condition', 'failure-condition']) {
      const condition = analysis[key]
      if (typeof condition !== 'string') continue
      try {
        parseExpression(conditionSource(condition))
      } catch (error) {
        problems.add([...path, key], error instanceof Error ? error.message : String(error), 'PW_ERR_EXPRESSION')
      }
    }
    analysis.monitors.forEach((ref, index) => {
      const uses = isRecord(ref) ? ref.uses : undefined
      if (typeof uses !== 'string' || !USES_PATTERN.test(uses) || !registry.monitor || registry.monitor(uses)) return
      const hint = didYouMean(uses, known) || (known.length > 0 ? ` Known monitor types: ${known.join(', ')}.` : ' No plugin providing monitor types is loaded.')
      problems.add([...path, 'monitors', index, 'uses'], `Unknown monitor type "${uses}".${hint} Is its plugin listed in \`plugins:\`?`, 'PW_ERR_PLUGIN_NOT_FOUND')
    })
  }
  // A canary's analysis: `strategy: { canary: { analysis } }`, of a deploy stage or an environment.
  const checkCanary = (strategy: unknown, path: PathSegment[]) => {
    if (isRecord(strategy) && isRecord(strategy.canary)) check(strategy.canary.analysis, [...path, 'strategy', 'canary', 'analysis'])
  }
  for (const stage of stages.values()) {
    check(stage.raw.analysis, ['stages', stage.id, 'analysis'])
    if (isRecord(stage.raw.deploy)) {
      check(stage.raw.deploy.verify, ['stages', stage.id, 'deploy', 'verify'])
      checkCanary(stage.raw.deploy.strategy, ['stages', stage.id, 'deploy'])
    }
  }
  const environments = isRecord(input) && isRecord(input.environments) ? input.environments : {}
  for (const [name, env] of Object.entries(environments)) {
    if (!isRecord(env)) continue
    check(env.monitors, ['environments', name, 'monitors'])
    checkCanary(env.strategy, ['environments', name])
  }
}
