import type { Observation } from '../sampling.js'
import type { Threshold } from './config.js'

/** What reading one named value gave: a finite number, or why there is none. */
export type Reading = { value: number } | { missing: string }

/**
 * The sample for a set of readings: values that are finite numbers, healthy when every threshold
 * holds (a missing value fails its threshold unless `no-data: healthy`). The reason names each
 * value — the ones that broke a threshold first.
 */
export function judge(readings: Record<string, Reading>, thresholds: Record<string, Threshold>): Observation {
  const values: Record<string, number> = {}
  const broken: string[] = []
  const fine: string[] = []
  for (const [name, reading] of Object.entries(readings)) {
    const threshold = thresholds[name]
    if ('missing' in reading) {
      const line = `${name}: ${reading.missing}`
      if (threshold && threshold['no-data'] === 'unhealthy') broken.push(line)
      else fine.push(line)
      continue
    }
    values[name] = reading.value
    const problem = threshold && violation(reading.value, threshold)
    if (problem) broken.push(`${name}=${format(reading.value)} ${problem}`)
    else fine.push(`${name}=${format(reading.value)}${threshold ? ` (${bounds(threshold)})` : ''}`)
  }
  return { healthy: broken.length === 0, values, reason: [...broken, ...fine].join('; ') }
}

function violation(value: number, t: Threshold): string | undefined {
  if (t.min !== undefined && value < t.min) return `below min ${t.min}`
  if (t.max !== undefined && value > t.max) return `above max ${t.max}`
  return undefined
}

function bounds(t: Threshold): string {
  return [t.min !== undefined ? `min ${t.min}` : '', t.max !== undefined ? `max ${t.max}` : ''].filter(Boolean).join(', ')
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)))
}
