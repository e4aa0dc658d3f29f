import type { Problem } from '@pipewright/plugin-api'

interface ZodLikeIssue {
  path: PropertyKey[]
  message: string
}

/** Turns zod issues into problems with dotted paths under `prefix`. */
export function zodProblems(error: { issues: ZodLikeIssue[] }, prefix: string): Problem[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].filter(Boolean).join('.').replace(/\.\[/g, '['),
    message: issue.message,
    code: 'PW_ERR_CONFIG_INVALID' as const,
  }))
}
