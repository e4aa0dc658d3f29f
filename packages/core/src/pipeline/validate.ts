import type { Problem, z } from '@pipewright/plugin-api'
import { checkExpressions } from './check-expressions.js'
import { checkEnvironments } from './check-environments.js'
import { checkNotifyFilters } from './check-notify-filters.js'
import { checkGraph } from './check-graph.js'
import { checkOutline } from './check-outline.js'
import { checkAnalyses, checkNotify, checkUses } from './check-uses.js'
import type { SourceLocator } from './load.js'
import { looseStages } from './loose-input.js'
import { dottedPath, ProblemList } from './problems.js'
import { pipelineSchema, type PipelineSpec } from './schema.js'
import { knownKeysAt } from './zod-shape.js'
import { reportIssues } from './zod-issues.js'

/** The stage and gate types the loaded plugins provide, by `uses:` name (`docker/build`). */
export interface UsesRegistry {
  /** `records`: the record kinds the stage type writes, when it declares them. */
  stage(uses: string): { configSchema?: z.ZodType; records?: string[] } | undefined
  /** `reads`: the record kinds the gate judges, when it declares them. */
  gate(uses: string): { configSchema?: z.ZodType; reads?: string[] } | undefined
  notifier(uses: string): { configSchema?: z.ZodType } | undefined
  stageTypes(): string[]
  gateTypes(): string[]
  notifierTypes(): string[]
  /** Deployment target types (`deploy/process`); without these, targets are not checked. */
  target?(uses: string): { configSchema?: z.ZodType } | undefined
  targetTypes?(): string[]
  /** Monitor types (`monitoring/http`); without these, monitors are not checked. */
  monitor?(uses: string): { configSchema?: z.ZodType } | undefined
  monitorTypes?(): string[]
}

export interface ValidateOptions {
  /** Named in every problem. */
  file?: string
  /** Adds line:column to problems (YAML input). */
  locator?: SourceLocator
  registry: UsesRegistry
}

/**
 * Checks a pipeline before anything runs and reports every problem at once: the schema,
 * `needs` (unknown, cycles), matrix instance ids, `uses:` and each plugin's `with:`, and every
 * `${{ }}` expression. Returns the parsed spec only when there are no problems.
 */
export function validatePipeline(input: unknown, options: ValidateOptions): { spec?: PipelineSpec; problems: Problem[] } {
  const problems = new ProblemList(options)
  const outlined = checkOutline(input, problems)
  const parsed = pipelineSchema.safeParse(input)
  if (!parsed.success) {
    for (const report of reportIssues(parsed.error.issues, input, [], (path) => knownKeysAt(pipelineSchema, path))) {
      if (!outlined.has(dottedPath(report.path))) problems.add(report.path, report.message)
    }
  }
  const stages = looseStages(input)
  checkGraph(stages, problems)
  checkUses(stages, options.registry, problems)
  checkAnalyses(input, stages, options.registry, problems)
  checkNotify(input, options.registry, problems)
  checkNotifyFilters(input, stages, problems)
  checkEnvironments(input, stages, options.registry, problems)
  checkExpressions(input, stages, problems)
  if (parsed.success && problems.items.length === 0) return { spec: parsed.data, problems: [] }
  // Top to bottom of the file reads best; without positions (TS input) the order found is kept.
  return { problems: problems.items.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)) }
}
