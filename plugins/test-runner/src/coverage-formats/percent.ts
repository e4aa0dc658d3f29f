import type { CoverageSummary } from '../model.js'

export type Percentages = Omit<CoverageSummary, 'source' | 'files'>

export function round(value: number): number {
  return Math.round(value * 100) / 100
}

/** covered / total as a percentage; nothing to cover counts as fully covered. */
export function percent(covered: number, total: number): number {
  return total === 0 ? 100 : round((covered / total) * 100)
}

/**
 * covered / total the way istanbul computes it (istanbul-lib-coverage), which is what c8, nyc,
 * jest and vitest print: truncated, not rounded, to two decimals (2 of 3 is 66.66).
 */
export function istanbulPercent(covered: number, total: number): number {
  return total > 0 ? Math.floor((1000 * 100 * covered) / total / 10) / 100 : 100
}
