import { malformed, type FileOrigin } from '../input-file.js'
import { COVERAGE_METRICS, type FileCoverage } from '../model.js'
import { type Percentages, round } from './percent.js'

interface Metric {
  total?: number
  covered?: number
  pct?: number | string
}

type Entry = Partial<Record<(typeof COVERAGE_METRICS)[number], Metric>>

/**
 * Reads istanbul's `coverage-summary.json` (the `json-summary` reporter of vitest, jest, nyc, c8):
 * the tool's own totals, and one entry per file (keyed by its path) for scoping.
 */
export function parseIstanbulSummary(text: string, file: string, origin: FileOrigin): { totals: Percentages; files: FileCoverage[] } {
  let doc: Record<string, Entry> & { total?: Entry }
  try {
    doc = JSON.parse(text) as typeof doc
  } catch (error) {
    throw malformed(file, origin, `not JSON (${(error as Error).message})`)
  }
  const total = doc?.total
  if (typeof total !== 'object' || total === null) throw malformed(file, origin, 'no "total" entry: is this a json-summary report?')
  const totals: Percentages = {}
  for (const metric of COVERAGE_METRICS) {
    const value = total[metric]
    if (value === undefined) continue
    // istanbul writes pct "Unknown" when there is nothing to cover.
    if (typeof value.pct === 'number') totals[metric] = round(value.pct)
    else if (value.total === 0) totals[metric] = 100
  }
  const files: FileCoverage[] = []
  for (const [path, entry] of Object.entries(doc)) {
    if (path === 'total' || typeof entry !== 'object' || entry === null) continue
    const f: FileCoverage = { file: path, metrics: {} }
    for (const metric of COVERAGE_METRICS) {
      const m = entry[metric]
      if (m && typeof m.total === 'number' && typeof m.covered === 'number') f.metrics[metric] = { total: m.total, covered: m.covered }
    }
    files.push(f)
  }
  return { totals, files }
}
