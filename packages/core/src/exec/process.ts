import { spawn } from 'node:child_process'

export interface SpawnOptions {
  command: string | string[]
  cwd: string
  env: Record<string, string>
  signal?: AbortSignal
  timeoutMs?: number
  input?: string
  /** Called once per complete line (without the newline). */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void
  /** Keep stdout/stderr text in the result (capped). */
  capture?: boolean
}

export interface SpawnResult {
  exitCode: number
  signal: string | null
  timedOut: boolean
  cancelled: boolean
  stdout: string
  stderr: string
  /** Set when the process could not be started at all (e.g. ENOENT). */
  spawnError?: string
}

const KILL_GRACE_MS = 3000
const CAPTURE_LIMIT = 8 * 1024 * 1024

// Stage processes run in their own process groups, so they would outlive a host that exits
// abruptly (a second Ctrl-C): kill every group still alive when this process exits.
const liveGroups = new Set<number>()
let exitHookInstalled = false
function track(pid: number): void {
  liveGroups.add(pid)
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const group of liveGroups) signalGroup(group, 'SIGKILL')
  })
}

/**
 * Runs a command in its own process group so cancel and timeout kill the whole tree:
 * SIGTERM to the group, SIGKILL after a grace period.
 */
export function spawnProcess(options: SpawnOptions): Promise<SpawnResult> {
  const [file, args] = typeof options.command === 'string' ? ['sh', ['-c', options.command]] : [options.command[0]!, options.command.slice(1)]
  return new Promise((resolve) => {
    let timedOut = false
    let cancelled = false
    let stdout = ''
    let stderr = ''
    let killTimer: NodeJS.Timeout | undefined
    let timeoutTimer: NodeJS.Timeout | undefined
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })

    if (child.pid !== undefined) track(child.pid)
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid !== undefined) signalGroup(child.pid, sig)
    }
    const terminate = () => {
      killGroup('SIGTERM')
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS)
      killTimer.unref()
    }
    const onAbort = () => {
      cancelled = true
      terminate()
    }
    if (options.signal) {
      if (options.signal.aborted) onAbort()
      else options.signal.addEventListener('abort', onAbort, { once: true })
    }
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      timeoutTimer = setTimeout(() => {
        timedOut = true
        terminate()
      }, options.timeoutMs)
    }

    const lineReader = (stream: 'stdout' | 'stderr') => {
      let carry = ''
      return {
        push(chunk: Buffer) {
          const text = chunk.toString('utf8')
          if (options.capture) {
            if (stream === 'stdout' && stdout.length < CAPTURE_LIMIT) stdout += text
            if (stream === 'stderr' && stderr.length < CAPTURE_LIMIT) stderr += text
          }
          if (!options.onLine) return
          const parts = (carry + text).split(/\r?\n/)
          carry = parts.pop() ?? ''
          for (const line of parts) options.onLine(stream, line)
        },
        end() {
          if (carry && options.onLine) options.onLine(stream, carry)
          carry = ''
        },
      }
    }
    const out = lineReader('stdout')
    const err = lineReader('stderr')
    child.stdout!.on('data', (c: Buffer) => out.push(c))
    child.stderr!.on('data', (c: Buffer) => err.push(c))
    if (options.input !== undefined) {
      // A command may exit without reading its input (EPIPE): that is its choice, not an error.
      child.stdin!.on('error', () => undefined)
      child.stdin!.end(options.input)
    }

    let spawnError: string | undefined
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e.code === 'ENOENT' ? `command not found: ${file}` : e.message
    })
    child.on('close', (code, sig) => {
      if (child.pid !== undefined) liveGroups.delete(child.pid)
      out.end()
      err.end()
      if (timeoutTimer) clearTimeout(timeoutTimer)
      if (killTimer) clearTimeout(killTimer)
      options.signal?.removeEventListener('abort', onAbort)
      // A stage owns its process group: background children it left behind end with it.
      if (child.pid !== undefined) killGroup('SIGKILL')
      resolve({
        exitCode: spawnError ? 127 : (code ?? 128 + signalNumber(sig)),
        signal: sig,
        timedOut,
        cancelled,
        stdout,
        stderr,
        ...(spawnError ? { spawnError } : {}),
      })
    })
  })
}

function signalNumber(sig: NodeJS.Signals | null): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }
  return sig ? (table[sig] ?? 0) : 0
}

/**
 * Signals a process group. Usually it is already gone (ESRCH): the stack trace of that error is
 * the expensive part, so none is captured.
 */
function signalGroup(pid: number, sig: NodeJS.Signals): void {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    process.kill(-pid, sig)
  } catch {
    // The group is already gone.
  } finally {
    Error.stackTraceLimit = limit
  }
}
