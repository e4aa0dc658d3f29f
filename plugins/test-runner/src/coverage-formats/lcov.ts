import { malformed, type FileOrigin } from '../input-file.js'
import { type Percentages, percent } from './percent.js'

const COUNTERS = ['LF', 'LH', 'BRF', 'BRH', 'FNF', 'FNH'] as const

/** Reads an lcov tracefile (`lcov.info`): sums the LF/LH, BRF/BRH and FNF/FNH counters of every file. */
export function parseLcov(text: string, file: string, origin: FileOrigin): Percentages {
  const sums: Record<(typeof COUNTERS)[number], number> = { LF: 0, LH: 0, BRF: 0, BRH: 0, FNF: 0, FNH: 0 }
  let records = 0
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === 'end_of_record') records++
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const key = line.slice(0, colon) as (typeof COUNTERS)[number]
    if (!COUNTERS.includes(key)) continue
    const value = Number(line.slice(colon + 1))
    if (!Number.isFinite(value)) throw malformed(file, origin, `"${line}" is not a number`)
    sums[key] += value
  }
  if (records === 0) throw malformed(file, origin, 'no end_of_record line: is this an lcov tracefile?')
  // lcov has no statement counter; lines are the closest figure but are not claimed as statements.
  return {
    lines: percent(sums.LH, sums.LF),
    branches: percent(sums.BRH, sums.BRF),
    functions: percent(sums.FNH, sums.FNF),
  }
}
