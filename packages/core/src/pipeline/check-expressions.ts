import { isPipewrightError } from '@pipewright/plugin-api'
import { analyzeExpression } from '../expr/analyze.js'
import { conditionSource } from '../expr/condition.js'
import { parseExpression } from '../expr/parser.js'
import { findExpressions } from '../expr/template.js'
import { EXPRESSION_CONTEXTS, STATUS_FUNCTIONS } from '../expr/types.js'
import { shellTemplateProblems } from '../exec/shell-template.js'
import { isRecord, transitiveNeeds, type LooseStage } from './loose-input.js'
import type { PathSegment, ProblemList } from './problems.js'
import { didYouMean } from './suggest.js'

/** What an expression at some place may read. */
interface Scope {
  /** The stage the text belongs to, or undefined for pipeline-level fields. */
  stage?: LooseStage
  /** Whether `stages.<id>` may be read here (computed only when an expression asks). */
  canReadStage(id: string): boolean
  secrets: Set<string>
  allStages: string[]
  statusFunctions: boolean
}

const CONTEXT_NAMES = Object.keys(EXPRESSION_CONTEXTS)

function checkSource(source: string, path: PathSegment[], scope: Scope, problems: ProblemList): void {
  let node
  try {
    node = parseExpression(source)
  } catch (error) {
    if (!isPipewrightError(error)) throw error
    problems.add(path, error.message, 'PW_ERR_EXPRESSION')
    return
  }
  const where = `in \${{ ${source} }}`
  const { references, calls } = analyzeExpression(node)
  for (const { path: ref } of references) {
    const [root, name] = ref as [string, string | undefined]
    if (!Object.hasOwn(EXPRESSION_CONTEXTS, root)) {
      problems.add(path, `Unknown name "${root}" ${where}: expressions can read ${CONTEXT_NAMES.join(', ')}.${didYouMean(root, CONTEXT_NAMES)}`, 'PW_ERR_EXPRESSION')
    } else if (root === 'stages' && name !== undefined && !scope.canReadStage(name)) {
      const owner = scope.stage ? `stage "${scope.stage.id}"` : 'the pipeline'
      const message = !scope.allStages.includes(name)
        ? `stages.${name} ${where}: there is no stage "${name}".${didYouMean(name, scope.allStages)}`
        : scope.stage
          ? `stages.${name} ${where}: "${name}" is not among the needs of ${owner}; add it to \`needs:\` so its outputs exist when this runs`
          : `stages.${name} ${where}: pipeline-level fields cannot read stage outputs`
      problems.add(path, message, 'PW_ERR_EXPRESSION')
    } else if (root === 'secrets' && name !== undefined && !scope.secrets.has(name)) {
      problems.add(path, `secrets.${name} ${where}: the secret "${name}" is not declared; add it to the pipeline's \`secrets:\` list.${didYouMean(name, scope.secrets)}`, 'PW_ERR_EXPRESSION')
    } else if (root === 'matrix' && name !== undefined) {
      const keys = Object.keys(scope.stage?.matrix ?? {})
      if (!keys.includes(name)) {
        const owner = scope.stage ? `stage "${scope.stage.id}" has no matrix key "${name}"` : 'pipeline-level fields have no matrix'
        problems.add(path, `matrix.${name} ${where}: ${owner}.${didYouMean(name, keys)}`, 'PW_ERR_EXPRESSION')
      }
    }
  }
  if (!scope.statusFunctions) {
    for (const call of calls) {
      if (STATUS_FUNCTIONS.has(call.name)) problems.add(path, `${call.name}() ${where}: status functions can only be used in \`if:\``, 'PW_ERR_EXPRESSION')
    }
  }
}

function checkText(text: string, path: PathSegment[], scope: Scope, problems: ProblemList): void {
  let found
  try {
    found = findExpressions(text)
  } catch (error) {
    if (!isPipewrightError(error)) throw error
    problems.add(path, error.message, 'PW_ERR_EXPRESSION')
    return
  }
  for (const { source } of found) checkSource(source, path, scope, problems)
}

/** Checks every string inside a value (with:, env:), with the path of each. */
function checkDeep(value: unknown, path: PathSegment[], scope: Scope, problems: ProblemList): void {
  if (typeof value === 'string') checkText(value, path, scope, problems)
  else if (Array.isArray(value)) value.forEach((item, index) => checkDeep(item, [...path, index], scope, problems))
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) checkDeep(item, [...path, key], scope, problems)
}

/** A `run:` script's expressions must each be reachable by an environment variable reference. */
function checkShellScript(script: unknown, path: PathSegment[], problems: ProblemList): void {
  if (typeof script !== 'string') return
  let found
  try {
    found = shellTemplateProblems(script)
  } catch {
    return // an unclosed ${{ is reported by checkText
  }
  for (const p of found) problems.add(path, `${p.message}. ${p.details}`, 'PW_ERR_EXPRESSION', { offset: p.offset })
}

function checkCondition(condition: unknown, path: PathSegment[], scope: Scope, problems: ProblemList): void {
  if (typeof condition !== 'string') return
  let source: string
  try {
    source = conditionSource(condition)
  } catch (error) {
    if (!isPipewrightError(error)) throw error
    problems.add(path, error.message, 'PW_ERR_EXPRESSION')
    return
  }
  if (source !== '') checkSource(source, path, { ...scope, statusFunctions: true }, problems)
}

/**
 * Syntax and names of every `${{ }}` in run, env, if, with, cache.key, working-directory and
 * gate `with:`: known contexts only, `stages.<id>` only for (transitive) needs, `secrets.<name>`
 * only for declared secrets, `matrix.<key>` only for the stage's own matrix keys.
 */
export function checkExpressions(input: unknown, stages: ReadonlyMap<string, LooseStage>, problems: ProblemList): void {
  const pipeline = isRecord(input) ? input : {}
  const secrets = new Set(Array.isArray(pipeline.secrets) ? pipeline.secrets.filter((s): s is string => typeof s === 'string') : [])
  const allStages = [...stages.keys()]
  const base = { secrets, allStages, statusFunctions: false }

  checkDeep(pipeline.env, ['env'], { ...base, canReadStage: () => false }, problems)
  // Environments are resolved when a deploy stage starts, but belong to no stage: no stages.* here.
  if (isRecord(pipeline.environments)) {
    for (const [name, env] of Object.entries(pipeline.environments)) {
      if (!isRecord(env)) continue
      checkDeep(env.url, ['environments', name, 'url'], { ...base, canReadStage: () => false }, problems)
      if (isRecord(env.target)) checkDeep(env.target.with, ['environments', name, 'target', 'with'], { ...base, canReadStage: () => false }, problems)
      checkDeep(env.env, ['environments', name, 'env'], { ...base, canReadStage: () => false }, problems)
    }
  }

  for (const stage of stages.values()) {
    let readable: Set<string> | undefined
    const scope: Scope = { ...base, stage, canReadStage: (id) => (readable ??= transitiveNeeds(stages, stage.id)).has(id) }
    const at = (...path: PathSegment[]) => ['stages', stage.id, ...path]
    const { raw } = stage
    checkDeep(raw.run, at('run'), scope, problems)
    checkShellScript(raw.run, at('run'), problems)
    checkDeep(raw.env, at('env'), scope, problems)
    checkDeep(raw.with, at('with'), scope, problems)
    if (isRecord(raw.deploy)) for (const key of ['version', 'from', 'image', 'rollback']) checkDeep(raw.deploy[key], at('deploy', key), scope, problems)
    checkDeep(raw['working-directory'], at('working-directory'), scope, problems)
    if (isRecord(raw.cache)) checkDeep(raw.cache.key, at('cache', 'key'), scope, problems)
    checkCondition(raw.if, at('if'), scope, problems)
    // Gates run after their stage, so they may also read the stage's own outputs.
    const gateScope: Scope = { ...scope, canReadStage: (id) => id === stage.id || scope.canReadStage(id) }
    if (Array.isArray(raw.gates)) raw.gates.forEach((gate, index) => isRecord(gate) && checkDeep(gate.with, at('gates', index, 'with'), gateScope, problems))
  }
}
