import { PipewrightError } from '@pipewright/plugin-api'
import { interpolate, type ExpressionContext } from '../expr/index.js'

type Schema = { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }

/** Resolves `${{ }}` in every string of a `with:` block. */
export function interpolateDeep(value: unknown, ctx: ExpressionContext): unknown {
  if (typeof value === 'string') return value.includes('${{') ? interpolate(value, ctx) : value
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, ctx))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, ctx)]))
  return value
}

/**
 * A plugin configuration (`with:` of a stage, gate, monitor or notifier) with its expressions
 * resolved, validated by the plugin's schema. Validation before the run already checked what it
 * could; this catches values that only expressions produce.
 */
export function resolveConfig(schema: Schema | undefined, raw: unknown, ctx: ExpressionContext, path: string): unknown {
  const value = interpolateDeep(raw ?? {}, ctx)
  if (!schema) return value
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const problems = parsed.error!.issues.map((i) => ({ path: [path, ...i.path.map(String)].join('.'), message: i.message }))
  throw new PipewrightError('PW_ERR_CONFIG_INVALID', `Invalid configuration at ${path} after expressions were resolved`, { problems })
}
