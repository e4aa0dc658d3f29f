import type { CoverageSummary } from '../model.js'

export type Percentages = Omit<CoverageSummary, 'source'>

export function round(value: number): number {
  return Math.round(value * 100) / 100
}

/** covered / total as a percentage; nothing to cover counts as fully covered. */
export function percent(covered: number, total: number): number {
  return total === 0 ? 100 : round((covered / total) * 100)
}
