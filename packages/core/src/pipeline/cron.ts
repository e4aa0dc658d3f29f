import { Cron } from 'croner'

/** A cron expression the pipeline file may hold: 5 fields (or an @nickname), and an optional IANA time zone. */
export function cronProblem(expression: string, timezone?: string): string | undefined {
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone })
    } catch {
      return `Unknown time zone "${timezone}": use an IANA name such as Europe/Berlin or UTC`
    }
  }
  if (expression.trim().split(/\s+/).length !== 5 && !expression.trim().startsWith('@')) return `Invalid cron expression "${expression}": write 5 fields, minute hour day-of-month month day-of-week (e.g. "* 17-23 * * 5")`
  try {
    cron(expression, timezone)
    return undefined
  } catch (error) {
    return `Invalid cron expression "${expression}": ${(error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, '')}`
  }
}

/** A parsed expression that never fires on its own: for matching and for the next/previous times. */
export function cron(expression: string, timezone?: string): Cron {
  return new Cron(expression, { paused: true, ...(timezone ? { timezone } : {}) })
}
