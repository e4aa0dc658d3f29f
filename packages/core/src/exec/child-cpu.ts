import { readFileSync } from 'node:fs'

// Linux counts, per process, the CPU time of the children it reaped (and of the descendants they
// waited for): `cutime` and `cstime` in /proc/self/stat. Node reaps a child just before its `exit`
// event, so the growth since the previous exit is the CPU time of the child that just ended. Two
// children reaped in the same turn of the event loop are both counted for the first of them.
// USER_HZ is 100 on every Linux Node supports.
const TICK_MS = 10

function readReapedTicks(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 16 and 17 of proc(5) (cutime, cstime); `fields[0]` is field 3.
    const ticks = Number(fields[13]) + Number(fields[14])
    return Number.isFinite(ticks) ? ticks : undefined
  } catch {
    return undefined
  }
}

let last = readReapedTicks()

/** CPU time of the children reaped since the last call (ms), or undefined where the platform does not tell. */
function takeDelta(): number | undefined {
  const now = readReapedTicks()
  if (now === undefined || last === undefined) return undefined
  const delta = now - last
  last = now
  return delta * TICK_MS
}

export const reapedChildrenCpu = { takeDelta }
