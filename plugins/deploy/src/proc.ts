import { readFileSync } from 'node:fs'

/** What /proc says about a process: its state letter and start time (clock ticks since boot). */
export interface ProcInfo {
  state: string
  startTime: string
}

/** Reads /proc/<pid>/stat; undefined when the process is gone (or there is no /proc). */
export function procInfo(pid: number): ProcInfo | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { state: fields[0] ?? '?', startTime: fields[19] ?? '' }
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat')
    return true
  } catch {
    return false
  }
})()

/**
 * Whether the process the handle names still runs: it exists, is not a zombie, and (where /proc
 * tells) started when the handle says — a recycled pid is not the instance.
 */
export function isRunning(pid: number, startTime: string | undefined): boolean {
  if (!hasProc) {
    try {
      process.kill(pid, 0)
      return true
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM'
    }
  }
  const info = procInfo(pid)
  if (!info || info.state === 'Z' || info.state === 'X') return false
  return startTime === undefined || startTime === '' || info.startTime === startTime
}
