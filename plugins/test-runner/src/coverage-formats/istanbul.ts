import { malformed, type FileOrigin } from '../input-file.js'
import type { CoverageSummary } from '../model.js'
import { type Percentages, round } from './percent.js'

interface Metric {
  total?: number
  covered?: number
  pct?: number | string
}

/** Reads istanbul's `coverage-summary.json` (the `json-summary` reporter of vitest, jest, nyc, c8). */
export function parseIstanbulSummary(text: string, file: string, origin: FileOrigin): Percentages {
  let doc: { total?: Record<string, Metric> }
  try {
    doc = JSON.parse(text) as typeof doc
  } catch (error) {
    throw malformed(file, origin, `not JSON (${(error as Error).message})`)
  }
  const total = doc?.total
  if (typeof total !== 'object' || total === null) throw malformed(file, origin, 'no "total" entry: is this a json-summary report?')
  const result: Omit<CoverageSummary, 'source'> = {}
  for (const metric of ['lines', 'branches', 'functions', 'statements'] as const) {
    const value = total[metric]
    if (value === undefined) continue
    // istanbul writes pct "Unknown" when there is nothing to cover.
    if (typeof value.pct === 'number') result[metric] = round(value.pct)
    else if (value.total === 0) result[metric] = 100
  }
  return result
}
