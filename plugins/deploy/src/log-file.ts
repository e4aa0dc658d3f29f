import { copyFileSync, statSync, truncateSync } from 'node:fs'

/**
 * Caps a log file an instance writes to directly (through an O_APPEND descriptor it inherited):
 * past `maxBytes` it is copied to `<file>.1` and truncated in place, so the process keeps its
 * descriptor and writes on at the new end. A few lines written during the copy may be lost;
 * nothing blocks the instance, and the agent may die without the instance noticing.
 */
export function capLogFile(file: string, maxBytes: number): boolean {
  let size: number
  try {
    size = statSync(file).size
  } catch {
    return false
  }
  if (size <= maxBytes) return false
  copyFileSync(file, `${file}.1`)
  truncateSync(file, 0)
  return true
}
