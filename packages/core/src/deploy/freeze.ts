import { cron as parseCron } from '../pipeline/cron.js'
import type { ProtectionSpec } from '../pipeline/environment-schema.js'

export type FreezeWindow = NonNullable<ProtectionSpec['freeze']>[number]

const MINUTE = 60_000
/** How far ahead the end of a window is looked for (a window longer than this is "frozen for now"). */
const HORIZON_MINUTES = 14 * 24 * 60

function normalize(window: FreezeWindow): { cron: string; timezone?: string; reason?: string } {
  return typeof window === 'string' ? { cron: window } : window
}

/** Whether the minute of `at` matches the expression (seconds ignored). */
function matcher(cron: string, timezone: string | undefined): (at: number) => boolean {
  const expression = parseCron(cron, timezone)
  return (at) => expression.match(new Date(Math.floor(at / MINUTE) * MINUTE))
}

/** The window `at` falls in, with when it ends (the first minute no window covers), or undefined. */
export function activeFreeze(windows: readonly FreezeWindow[], at: number): { window: { cron: string; timezone?: string; reason?: string }; until: number | undefined } | undefined {
  const all = windows.map((w) => {
    const n = normalize(w)
    return { ...n, matches: matcher(n.cron, n.timezone) }
  })
  const found = all.find((w) => w.matches(at))
  if (!found) return undefined
  const window = { cron: found.cron, ...(found.timezone ? { timezone: found.timezone } : {}), ...(found.reason ? { reason: found.reason } : {}) }
  let t = Math.floor(at / MINUTE) * MINUTE
  for (let i = 0; i < HORIZON_MINUTES; i++) {
    t += MINUTE
    if (!all.some((w) => w.matches(t))) return { window, until: t }
  }
  return { window, until: undefined }
}
