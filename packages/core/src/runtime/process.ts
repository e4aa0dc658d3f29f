import { spawn } from 'node:child_process'
import { LineReader, type SplitPoint } from './line-reader.js'
import { STAGE_TOKEN_ENV, newStageToken, signalQuietly, signalStages } from './process-tree.js'

export interface SpawnOptions {
  command: string | string[]
  cwd: string
  env: Record<string, string>
  signal?: AbortSignal
  timeoutMs?: number
  input?: string
  /** Called once per line (without the newline); a long line comes in pieces (see LineReader). */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void
  /** Where a long line is cut into pieces (e.g. never inside a secret: see splitLongLine). */
  splitPoint?: SplitPoint
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
/** After the main process exits, how long its output may take to arrive before the stage ends anyway. */
const DRAIN_MS = 200
const CAPTURE_LIMIT = 8 * 1024 * 1024

interface StageProcesses {
  pid: number | undefined
  token: string
}

// Stage processes run in their own process groups, so they would outlive a host that exits
// abruptly (a second Ctrl-C): kill every stage's processes still alive when this process exits.
const live = new Set<StageProcesses>()
let exitHookInstalled = false
function track(stage: StageProcesses): void {
  live.add(stage)
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => signalStages([...live], 'SIGKILL'))
}

/**
 * Runs a command in its own process group, marked with a stage token (see process-tree.ts).
 * It ends when its main process exits (after a short drain of its output): what it left running
 * in its group is killed then, and so is anything outside the group that still holds its output.
 * Cancel and timeout send SIGTERM to the whole tree, the group and every process carrying the
 * token, and SIGKILL after a grace period.
 */
export function spawnProcess(options: SpawnOptions): Promise<SpawnResult> {
  const [file, args] = typeof options.command === 'string' ? ['sh', ['-c', options.command]] : [options.command[0]!, options.command.slice(1)]
  // Cancelled before it started: it never runs, not even for the moment a kill takes to arrive.
  if (options.signal?.aborted) return Promise.resolve({ exitCode: 130, signal: null, timedOut: false, cancelled: true, stdout: '', stderr: '' })
  const token = newStageToken(options.env.PIPEWRIGHT_RUN_ID)
  return new Promise((resolve) => {
    let timedOut = false
    let cancelled = false
    let killTimer: NodeJS.Timeout | undefined
    let timeoutTimer: NodeJS.Timeout | undefined
    let drainTimer: NodeJS.Timeout | undefined
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...options.env, [STAGE_TOKEN_ENV]: token },
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    const stage: StageProcesses = { pid: child.pid, token }
    track(stage)

    const terminate = () => {
      if (killTimer) return
      signalStages([stage], 'SIGTERM')
      killTimer = setTimeout(() => {
        signalStages([stage], 'SIGKILL')
        live.delete(stage)
        drainTimer ??= setTimeout(finish, DRAIN_MS)
      }, KILL_GRACE_MS)
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

    const output = { stdout: '', stderr: '' }
    const keep = (stream: 'stdout' | 'stderr', text: string) => {
      if (options.capture && output[stream].length < CAPTURE_LIMIT) output[stream] += text
    }
    const reader = (stream: 'stdout' | 'stderr') => new LineReader((line) => options.onLine?.(stream, line), options.splitPoint)
    const readers = { stdout: reader('stdout'), stderr: reader('stderr') }
    child.stdout!.on('data', (c: Buffer) => keep('stdout', readers.stdout.push(c)))
    child.stderr!.on('data', (c: Buffer) => keep('stderr', readers.stderr.push(c)))
    if (options.input !== undefined) {
      // A command may exit without reading its input (EPIPE): that is its choice, not an error.
      child.stdin!.on('error', () => undefined)
      child.stdin!.end(options.input)
    }

    let spawnError: string | undefined
    let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined
    let finished = false
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e.code === 'ENOENT' ? `command not found: ${file}` : e.message
    })
    child.on('exit', (code, sig) => {
      exit = { code, sig }
      // While terminating, the tree gets its grace period; otherwise the stage is over.
      if (killTimer) return
      if (child.pid !== undefined) signalQuietly(-child.pid, 'SIGKILL')
      drainTimer = setTimeout(() => {
        // Something outside the group (setsid) still holds the output: it ends with the stage.
        signalStages([stage], 'SIGKILL')
        finish()
      }, DRAIN_MS)
    })
    child.on('close', () => finish())

    function finish(): void {
      if (finished) return
      finished = true
      for (const timer of [timeoutTimer, drainTimer]) if (timer) clearTimeout(timer)
      if (!killTimer) live.delete(stage)
      else killTimer.unref()
      options.signal?.removeEventListener('abort', onAbort)
      child.stdout!.destroy()
      child.stderr!.destroy()
      keep('stdout', readers.stdout.end())
      keep('stderr', readers.stderr.end())
      const code = exit?.code ?? null
      const sig = exit?.sig ?? null
      resolve({ exitCode: spawnError ? 127 : (code ?? 128 + signalNumber(sig)), signal: sig, timedOut, cancelled, ...output, ...(spawnError ? { spawnError } : {}) })
    }
  })
}

function signalNumber(sig: NodeJS.Signals | null): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }
  return sig ? (table[sig] ?? 0) : 0
}
