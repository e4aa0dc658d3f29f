import { fileURLToPath } from 'node:url'
import { PipewrightError, z } from '@pipewright/plugin-api'
import { toPosition, type LintProblem, type Severity } from '../problems.js'

// The subset of SARIF 2.1.0 (OASIS) read here; loose objects because analyzers add properties.
const artifactLocation = z.looseObject({ uri: z.string().optional(), uriBaseId: z.string().optional(), index: z.number().optional() })
const message = z.looseObject({ text: z.string().optional(), markdown: z.string().optional(), id: z.string().optional(), arguments: z.array(z.string()).optional() })
const level = z.enum(['none', 'note', 'warning', 'error'])
const rule = z.looseObject({
  id: z.string(),
  defaultConfiguration: z.looseObject({ level: level.optional() }).optional(),
  messageStrings: z.record(z.string(), z.looseObject({ text: z.string().optional() })).optional(),
})
const result = z.looseObject({
  ruleId: z.string().optional(),
  ruleIndex: z.number().optional(),
  rule: z.looseObject({ id: z.string().optional(), index: z.number().optional() }).optional(),
  kind: z.string().optional(),
  level: level.optional(),
  message,
  locations: z
    .array(
      z.looseObject({
        physicalLocation: z
          .looseObject({ artifactLocation: artifactLocation.optional(), region: z.looseObject({ startLine: z.number().optional(), startColumn: z.number().optional() }).optional() })
          .optional(),
      }),
    )
    .optional(),
})
const run = z.looseObject({
  tool: z.looseObject({ driver: z.looseObject({ name: z.string(), rules: z.array(rule).optional() }) }),
  originalUriBaseIds: z.record(z.string(), z.looseObject({ uri: z.string().optional(), uriBaseId: z.string().optional() })).optional(),
  artifacts: z.array(z.looseObject({ location: artifactLocation.optional() })).optional(),
  results: z.array(result).optional(),
})
const sarifLog = z.looseObject({ version: z.literal('2.1.0'), runs: z.array(run) })

type SarifRun = z.output<typeof run>
type SarifResult = z.output<typeof result>
type SarifRule = z.output<typeof rule>

/**
 * Maps every result of every run in a SARIF 2.1.0 log to problems. Results whose level resolves
 * to `none` (e.g. `kind: pass`) are not problems and are left out.
 */
export function parseSarif(data: unknown, shownAs: string, relativize: (file: string) => string): LintProblem[] {
  const parsed = sarifLog.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new PipewrightError('PW_ERR_INPUT_FILE', `${shownAs} is not a SARIF 2.1.0 log: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, {
      details: 'Point `file` at the SARIF output of the analyzer (version "2.1.0", with a `runs` array).',
    })
  }
  const problems: LintProblem[] = []
  for (const r of parsed.data.runs) {
    for (const res of r.results ?? []) {
      const problem = toProblem(r, res, relativize)
      if (problem) problems.push(problem)
    }
  }
  return problems
}

function toProblem(run: SarifRun, res: SarifResult, relativize: (file: string) => string): LintProblem | undefined {
  const ruleIndex = res.ruleIndex ?? res.rule?.index
  const ruleDef: SarifRule | undefined =
    (ruleIndex !== undefined ? run.tool.driver.rules?.[ruleIndex] : undefined) ??
    run.tool.driver.rules?.find((d) => d.id === (res.ruleId ?? res.rule?.id))
  const severity = resolveLevel(res, ruleDef)
  if (severity === undefined) return undefined
  const problem: LintProblem = { severity, message: resolveMessage(res, ruleDef) }
  const ruleId = res.ruleId ?? res.rule?.id ?? ruleDef?.id
  if (ruleId) problem.rule = ruleId
  const physical = res.locations?.[0]?.physicalLocation
  const uri = physical?.artifactLocation ? resolveUri(run, physical.artifactLocation) : undefined
  if (uri !== undefined) problem.file = relativize(uri)
  const line = toPosition(physical?.region?.startLine)
  const column = toPosition(physical?.region?.startColumn)
  if (line) problem.line = line
  if (column) problem.column = column
  return problem
}

/** SARIF §3.27.10: an explicit level wins; a kind other than `fail` means `none`; then the rule's default; then `warning`. */
function resolveLevel(res: SarifResult, ruleDef: SarifRule | undefined): Severity | undefined {
  const lvl = res.level ?? (res.kind !== undefined && res.kind !== 'fail' ? 'none' : ruleDef?.defaultConfiguration?.level ?? 'warning')
  return lvl === 'none' ? undefined : lvl
}

function resolveMessage(res: SarifResult, ruleDef: SarifRule | undefined): string {
  const template = res.message.text ?? (res.message.id ? ruleDef?.messageStrings?.[res.message.id]?.text : undefined) ?? res.message.markdown
  if (template === undefined) return res.message.id ?? '(no message)'
  const args = res.message.arguments ?? []
  return template.replace(/\{(\d+)\}/g, (whole, i: string) => args[Number(i)] ?? whole)
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i

/** Resolves `uriBaseId` / artifact `index` references to a file path or the uri as written. */
function resolveUri(run: SarifRun, location: z.output<typeof artifactLocation>): string | undefined {
  const loc = location.uri === undefined && location.index !== undefined ? run.artifacts?.[location.index]?.location ?? location : location
  if (loc.uri === undefined) return undefined
  let uri = loc.uri
  let baseId = loc.uriBaseId
  // Bases may chain (SRCROOT → REPOROOT); a depth limit guards against cycles.
  for (let depth = 0; baseId !== undefined && depth < 5 && !HAS_SCHEME.test(uri); depth++) {
    const base = run.originalUriBaseIds?.[baseId]
    if (base?.uri === undefined) break
    const baseUri = base.uri.endsWith('/') ? base.uri : `${base.uri}/`
    uri = HAS_SCHEME.test(baseUri) ? new URL(uri, baseUri).href : `${baseUri}${uri}`
    baseId = base.uriBaseId
  }
  if (uri.startsWith('file:')) return fileURLToPath(uri)
  if (HAS_SCHEME.test(uri)) return uri
  try {
    return decodeURIComponent(uri)
  } catch {
    return uri
  }
}
