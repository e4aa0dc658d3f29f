import { parseDuration, PipewrightError } from '@pipewright/plugin-api'

/**
 * A point in time given on the command line: a duration back from `now` (`30d`, `12h`) or an
 * ISO date or date-time (`2026-01-31`, `2026-01-31T12:00:00Z`). Epoch ms.
 */
export function parseTimeOption(option: string, value: string, now = Date.now()): number {
  const ago = parseDuration(value)
  if (ago !== undefined && ago >= 0) return now - ago
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const at = Date.parse(value)
    if (!Number.isNaN(at)) return at
  }
  throw new PipewrightError('PW_ERR_USAGE', `${option} ${value} is neither a duration nor a date`, {
    details: `Pass ${option} as a duration back from now (30d, 12h) or an ISO date (2026-01-31, 2026-01-31T12:00:00Z).`,
  })
}
