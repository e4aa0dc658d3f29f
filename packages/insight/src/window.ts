import { PipewrightError } from '@pipewright/plugin-api'

/** A time window, `from` included, `to` excluded (epoch ms). */
export interface TimeWindow {
  from: number
  to: number
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }
export const DAY_MS = UNIT_MS.d!

/**
 * Reads `--since`: a span back from `now` (`30d`, `12w`, `48h`) or a date (`2026-01-01`, or an
 * ISO time). Anything else is an error that shows the accepted forms.
 */
export function parseSince(since: string, now: number): TimeWindow {
  return { from: pointBefore('--since', since, now), to: now }
}

/**
 * A window from `--since` to `--until` (the same forms; default: now). An `until` not after
 * `since` is an error too.
 */
export function parseWindow(since: string, until: string | undefined, now: number): TimeWindow {
  const from = pointBefore('--since', since, now)
  if (until === undefined) return { from, to: now }
  const to = pointBefore('--until', until, now, true)
  if (to <= from) throw badWindow('--until', until, `it is not after --since ${JSON.stringify(since)}`)
  return { from, to }
}

function pointBefore(option: string, value: string, now: number, nowAllowed = false): number {
  const text = value.trim()
  const span = /^(\d+)\s*([hdw])$/.exec(text)
  if (span) {
    const ms = Number(span[1]) * UNIT_MS[span[2]!]!
    if (ms <= 0 && !nowAllowed) throw badWindow(option, value, 'the span must be longer than zero')
    return now - ms
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const at = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text)
    // Date.parse rolls 2026-02-31 over to March: a date that does not come back the same does not exist.
    if (Number.isNaN(at) || (text.length === 10 && new Date(at).toISOString().slice(0, 10) !== text)) throw badWindow(option, value, 'that date does not exist')
    if (at > now || (at === now && !nowAllowed)) throw badWindow(option, value, 'that date is not in the past')
    return at
  }
  throw badWindow(option, value, 'it is neither a span nor a date')
}

function badWindow(option: string, value: string, why: string): PipewrightError {
  return new PipewrightError('PW_ERR_REPORT_WINDOW', `${option} ${JSON.stringify(value)} is not a window: ${why}`, {
    details: 'Give a span back from now — 30d (days), 12w (weeks), 48h (hours) — or a start date such as 2026-01-01.',
  })
}

/** Monday 00:00 UTC of the week holding `t`. */
export function weekStart(t: number): number {
  const day = Math.floor(t / DAY_MS)
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday = 0.
  const weekday = (day + 3) % 7
  return (day - weekday) * DAY_MS
}

/** The Mondays of the weeks a window touches, oldest first. */
export function weeksOf(window: TimeWindow): number[] {
  const weeks: number[] = []
  for (let w = weekStart(window.from); w < window.to; w += 7 * DAY_MS) weeks.push(w)
  return weeks
}

export function inWindow(t: number | undefined, window: TimeWindow): boolean {
  return t !== undefined && t >= window.from && t < window.to
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
