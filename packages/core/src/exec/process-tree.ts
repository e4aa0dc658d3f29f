import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'

/**
 * Every process a stage starts inherits this variable, with a value unique to the stage's
 * process (`<run id>/<random>`). A process that left the stage's process group (setsid, a
 * daemon) or was orphaned by a crash of the engine keeps it in /proc/<pid>/environ, which is how
 * the engine still finds it. A process that clears its environment escapes this; none of the
 * supported ways to run a stage do.
 */
export const STAGE_TOKEN_ENV = 'PIPEWRIGHT_STAGE_TOKEN'

// Random once per engine process, then counted: unique on the host without a random draw per spawn.
const PROCESS_NONCE = randomBytes(6).toString('hex')
let spawned = 0

export function newStageToken(runId: string | undefined): string {
  return `${runId ?? 'none'}/${PROCESS_NONCE}${(++spawned).toString(16).padStart(4, '0')}`
}

interface ProcessInfo {
  pid: number
  ppid: number
  token: string | undefined
}

const TOKEN_PREFIX = Buffer.from(`${STAGE_TOKEN_ENV}=`)

function tokenIn(environ: Buffer): string | undefined {
  let at = environ.indexOf(TOKEN_PREFIX)
  while (at > 0 && environ[at - 1] !== 0) at = environ.indexOf(TOKEN_PREFIX, at + 1)
  if (at === -1) return undefined
  const start = at + TOKEN_PREFIX.length
  const end = environ.indexOf(0, start)
  return environ.toString('utf8', start, end === -1 ? environ.length : end)
}

/** The processes of this user on this host (on Linux; elsewhere none), with their stage tokens. */
function listProcesses(): ProcessInfo[] {
  let names: string[]
  try {
    names = readdirSync('/proc')
  } catch {
    return []
  }
  const out: ProcessInfo[] = []
  for (const name of names) {
    const pid = Number(name)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      out.push({ pid, ppid, token: tokenIn(readFileSync(`/proc/${pid}/environ`)) })
    } catch {
      // Gone meanwhile, or another user's: not ours to signal.
    }
  }
  return out
}

/** `roots` and everything that descends from them. */
function withDescendants(all: ProcessInfo[], roots: Set<number>): number[] {
  const children = new Map<number, number[]>()
  for (const p of all) {
    const siblings = children.get(p.ppid)
    if (siblings) siblings.push(p.pid)
    else children.set(p.ppid, [p.pid])
  }
  const found = new Set<number>()
  const queue = [...roots]
  while (queue.length > 0) {
    const pid = queue.pop()!
    if (found.has(pid)) continue
    found.add(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return [...found]
}

/** A stage's processes: those carrying one of its tokens, the main process, and all their descendants. */
export function processesOf(stages: Array<{ pid: number | undefined; token: string }>): number[] {
  const all = listProcesses()
  const alive = new Set(all.map((p) => p.pid))
  const tokens = new Set(stages.map((s) => s.token))
  const roots = new Set(all.filter((p) => p.token !== undefined && tokens.has(p.token)).map((p) => p.pid))
  for (const s of stages) if (s.pid !== undefined && alive.has(s.pid)) roots.add(s.pid)
  return withDescendants(all, roots)
}

/** The processes still running from stages of `runId` (an engine that died left them behind). */
export function processesOfRun(runId: string): number[] {
  const all = listProcesses()
  const prefix = `${runId}/`
  return withDescendants(all, new Set(all.filter((p) => p.token?.startsWith(prefix)).map((p) => p.pid)))
}

/**
 * Signals a process or (negative pid) a process group. Usually it is already gone (ESRCH): the
 * stack trace of that error is the expensive part, so none is captured.
 */
export function signalQuietly(pid: number, sig: NodeJS.Signals): boolean {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    process.kill(pid, sig)
    return true
  } catch {
    return false
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** Signals stages' process groups, then every process found by token or descent. */
export function signalStages(stages: Array<{ pid: number | undefined; token: string }>, sig: NodeJS.Signals): void {
  if (stages.length === 0) return
  for (const s of stages) if (s.pid !== undefined) signalQuietly(-s.pid, sig)
  for (const pid of processesOf(stages)) signalQuietly(pid, sig)
}
