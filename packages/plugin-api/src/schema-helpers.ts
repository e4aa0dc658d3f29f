import { z } from 'zod'
import { parseDuration } from './duration.js'

/** A duration like `30s`, `10m` or milliseconds as a number; parsed to milliseconds. */
export const durationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value)
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `Invalid duration "${value}": use e.g. 500ms, 30s, 10m, 1h` })
    return z.NEVER
  }
  return ms
})

/** A path that must stay inside the workspace: relative, no `..` segments. */
export const relativePathSchema = z.string().min(1).refine(
  (p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'),
  { message: 'Must be a relative path inside the workspace (no leading / and no ..)' },
)
