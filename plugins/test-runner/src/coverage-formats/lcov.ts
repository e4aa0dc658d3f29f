import { malformed, type FileOrigin } from '../input-file.js'
import type { FileCoverage } from '../model.js'

const COUNTERS = { LF: ['lines', 'total'], LH: ['lines', 'covered'], BRF: ['branches', 'total'], BRH: ['branches', 'covered'], FNF: ['functions', 'total'], FNH: ['functions', 'covered'] } as const

/**
 * Reads an lcov tracefile (`lcov.info`) into one entry per `SF:` record with its LF/LH, BRF/BRH
 * and FNF/FNH counters. lcov has no statement counter; lines are not claimed as statements.
 */
export function parseLcov(text: string, file: string, origin: FileOrigin): FileCoverage[] {
  const files: FileCoverage[] = []
  let current: FileCoverage | undefined
  let records = 0
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === 'end_of_record') {
      records++
      if (current) files.push(current)
      current = undefined
      continue
    }
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const key = line.slice(0, colon)
    if (key === 'SF') {
      current = { file: line.slice(colon + 1), metrics: {} }
      continue
    }
    if (!(key in COUNTERS)) continue
    const value = Number(line.slice(colon + 1))
    if (!Number.isFinite(value)) throw malformed(file, origin, `"${line}" is not a number`)
    const [metric, field] = COUNTERS[key as keyof typeof COUNTERS]
    current ??= { file: '(unnamed)', metrics: {} }
    const counts = (current.metrics[metric] ??= { covered: 0, total: 0 })
    counts[field] += value
  }
  if (records === 0) throw malformed(file, origin, 'no end_of_record line: is this an lcov tracefile?')
  // A record without a counter has nothing to cover: count it as 0 of 0 like lcov's own genhtml.
  for (const f of files) for (const metric of ['lines', 'branches', 'functions'] as const) f.metrics[metric] ??= { covered: 0, total: 0 }
  return files
}
