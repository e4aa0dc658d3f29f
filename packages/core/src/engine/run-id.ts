import { randomBytes } from 'node:crypto'

/**
 * A run id: the start time in base 36, a dash, six random hex digits (`mx2mt967-da4c3e`), so ids
 * sort by time and a short prefix finds a run. `at` and `random` fix both parts (help examples, tests).
 */
export function newRunId(at: number = Date.now(), random: Uint8Array = randomBytes(3)): string {
  return `${at.toString(36)}-${Buffer.from(random).toString('hex')}`
}
