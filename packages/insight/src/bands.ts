/**
 * DORA performance bands, read as ranges from the Accelerate State of DevOps reports (sources in
 * docs/insight.md). Deployment frequency and lead time: the 2023 and 2024 reports agree (elite: on
 * demand / under a day; high: daily to weekly / a day to a week; medium: weekly to monthly / a week
 * to a month; low: beyond). Change failure rate and recovery time: the 2023 ranges (5 %, 10 %,
 * 15 %; under an hour, a day, a week), because the 2024 clusters cannot be read as ranges there —
 * high fails 20 % of changes and medium 10 %, and medium recovers in under a day like high. The 2024
 * report introduced rework rate without bands: it has none here either.
 */
export type Band = 'elite' | 'high' | 'medium' | 'low'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Deployments per day: elite at least one a day (on demand), high at least weekly, medium at least monthly. */
export function frequencyBand(perDay: number): Band {
  if (perDay >= 1) return 'elite'
  if (perDay >= 1 / 7) return 'high'
  if (perDay >= 1 / 30) return 'medium'
  return 'low'
}

/** Median lead time: elite under a day, high under a week, medium under a month (30 days). */
export function leadTimeBand(ms: number): Band {
  if (ms < DAY) return 'elite'
  if (ms < 7 * DAY) return 'high'
  if (ms < 30 * DAY) return 'medium'
  return 'low'
}

/** Change failure rate (0..1): elite up to 5 %, high up to 10 %, medium up to 15 %. */
export function changeFailureBand(rate: number): Band {
  if (rate <= 0.05) return 'elite'
  if (rate <= 0.1) return 'high'
  if (rate <= 0.15) return 'medium'
  return 'low'
}

/** Median failed-deployment recovery time: elite under an hour, high under a day, medium under a week. */
export function recoveryBand(ms: number): Band {
  if (ms < HOUR) return 'elite'
  if (ms < DAY) return 'high'
  if (ms < 7 * DAY) return 'medium'
  return 'low'
}
