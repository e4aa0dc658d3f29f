import type { Problem, z } from '@pipewright/plugin-api'

/** zod issues as Problems, each path prefixed with `where`. */
export function zodIssues(error: z.ZodError, where: string): Problem[] {
  return error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }))
}
