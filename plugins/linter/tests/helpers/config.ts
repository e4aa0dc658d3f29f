import { PipewrightError, type z } from '@pipewright/plugin-api'

/**
 * Validates a `with:` block the way the engine does before a run (every issue, with its path
 * under `where`), so stages can be called with parsed config before the engine exists.
 */
export function parseConfig<T>(schema: z.ZodType<T>, input: unknown, where = 'stages.lint.with'): T {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message }))
  throw new PipewrightError('PW_ERR_CONFIG_INVALID', `Invalid configuration at ${problems.map((p) => p.path).join(', ')}`, { problems })
}
