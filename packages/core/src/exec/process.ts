import { spawn, type ChildProcess } from 'node:child_process'
import { LineReader, type SplitPoint } from './line-reader.js'
import { STAGE_TOKEN_ENV, newStageToken, signalQuietly, signalStages } from './process-tree.js'
import { reapedChildrenCpu } from './child-cpu.js'

export interface SpawnOptions {
  command: string | string[]
  cwd: string
  env: Record<string, string>
  signal?: AbortSignal
  timeoutMs?: number
  input?: string
  /** Called once per line (without the newline); a long line comes in pieces (see LineReader). */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void
  /** Where a long line is cut into pieces (e.g. never inside a secret: see splitPointFor). */
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
  /**
   * CPU time (user + system, ms) of the command and the descendants it waited for, where the
   * platform tells (Linux: the growth of this process's reaped-children time when it exited).
   */
  cpuMs?: number
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

/** The output of a stage's process: lines as they come, and the captured text. */
function readOutput(child: ChildProcess, options: SpawnOptions) {
  const captured = { stdout: '', stderr: '' }
  const keep = (stream: 'stdout' | 'stderr', text: string) => {
    if (options.capture && captured[stream].length < CAPTURE_LIMIT) captured[stream] += text
  }
  const reader = (stream: 'stdout' | 'stderr') => new LineReader((line) => options.onLine?.(stream, line), options.splitPoint)
  const readers = { stdout: reader('stdout'), stderr: reader('stderr') }
  child.stdout!.on('data', (c: Buffer) => keep('stdout', readers.stdout.push(c)))
  child.stderr!.on('data', (c: Buffer) => keep('stderr', readers.stderr.push(c)))
  return {
    /** Stops reading (a process outside the group may hold the pipes) and passes on the last lines. */
    end() {
      child.stdout!.destroy()
      child.stderr!.destroy()
      keep('stdout', readers.stdout.end())
      keep('stderr', readers.stderr.end())
      return captured
    },
  }
}

/** One spawned command, from spawn to the end of its tree. */
class StageProcess {
  readonly done: Promise<SpawnResult>
  private readonly child: ChildProcess
  private readonly tree: StageProcesses
  private readonly output: ReturnType<typeof readOutput>
  private resolve!: (result: SpawnResult) => void
  private exit: { code: number | null; sig: NodeJS.Signals | null } | undefined
  private cpuMs: number | undefined
  private spawnError: string | undefined
  private timedOut = false
  private cancelled = false
  private finished = false
  private killTimer: NodeJS.Timeout | undefined
  private timeoutTimer: NodeJS.Timeout | undefined
  private drainTimer: NodeJS.Timeout | undefined
  private readonly onAbort = () => this.stop('cancelled')

  constructor(private readonly options: SpawnOptions, file: string, args: string[]) {
    this.done = new Promise((resolve) => (this.resolve = resolve))
    const token = newStageToken(options.env.PIPEWRIGHT_RUN_ID)
    this.child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...options.env, [STAGE_TOKEN_ENV]: token },
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    this.tree = { pid: this.child.pid, token }
    track(this.tree)
    options.signal?.addEventListener('abort', this.onAbort, { once: true })
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) this.timeoutTimer = setTimeout(() => this.stop('timedOut'), options.timeoutMs)
    this.output = readOutput(this.child, options)
    if (options.input !== undefined) {
      // A command may exit without reading its input (EPIPE): that is its choice, not an error.
      this.child.stdin!.on('error', () => undefined)
      this.child.stdin!.end(options.input)
    }
    this.child.on('error', (e: NodeJS.ErrnoException) => (this.spawnError = e.code === 'ENOENT' ? `command not found: ${file}` : e.message))
    this.child.on('exit', (code, sig) => this.exited(code, sig))
    this.child.on('close', () => this.finish())
  }

  /** Cancel or timeout: SIGTERM to the whole tree, SIGKILL after the grace period. */
  private stop(why: 'cancelled' | 'timedOut'): void {
    // Once the main process has exited the outcome is known: a late cancel or timeout changes nothing.
    if (this.exit || this.killTimer) return
    this[why] = true
    signalStages([this.tree], 'SIGTERM')
    this.killTimer = setTimeout(() => {
      signalStages([this.tree], 'SIGKILL')
      live.delete(this.tree)
      this.drainTimer ??= setTimeout(() => this.finish(), DRAIN_MS)
    }, KILL_GRACE_MS)
  }

  private exited(code: number | null, sig: NodeJS.Signals | null): void {
    this.exit = { code, sig }
    this.cpuMs = reapedChildrenCpu.takeDelta()
    // While terminating, the tree gets its grace period; otherwise the stage is over.
    if (this.killTimer) return
    if (this.child.pid !== undefined) signalQuietly(-this.child.pid, 'SIGKILL')
    this.drainTimer = setTimeout(() => {
      // Something outside the group (setsid) still holds the output: it ends with the stage.
      signalStages([this.tree], 'SIGKILL')
      this.finish()
    }, DRAIN_MS)
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    for (const timer of [this.timeoutTimer, this.drainTimer]) if (timer) clearTimeout(timer)
    if (this.killTimer) this.killTimer.unref()
    else live.delete(this.tree)
    this.options.signal?.removeEventListener('abort', this.onAbort)
    const { stdout, stderr } = this.output.end()
    const code = this.exit?.code ?? null
    const sig = this.exit?.sig ?? null
    const exitCode = this.spawnError ? 127 : (code ?? 128 + signalNumber(sig))
    this.resolve({ exitCode, signal: sig, timedOut: this.timedOut, cancelled: this.cancelled, stdout, stderr, ...(this.spawnError ? { spawnError: this.spawnError } : {}), ...(this.cpuMs !== undefined ? { cpuMs: this.cpuMs } : {}) })
  }
}

/**
 * Runs a command in its own process group, marked with a stage token (see process-tree.ts).
 * It ends when its main process exits (after a short drain of its output): what it left running
 * in its group is killed then, and so is anything outside the group that still holds its output.
 * Cancel and timeout send SIGTERM to the whole tree, the group and every process carrying the
 * token, and SIGKILL after a grace period.
 */
export function spawnProcess(options: SpawnOptions): Promise<SpawnResult> {
  // Cancelled before it started: it never runs, not even for the moment a kill takes to arrive.
  if (options.signal?.aborted) return Promise.resolve({ exitCode: 130, signal: null, timedOut: false, cancelled: true, stdout: '', stderr: '' })
  const [file, args] = typeof options.command === 'string' ? ['sh', ['-c', options.command]] : [options.command[0]!, options.command.slice(1)]
  return new StageProcess(options, file, args).done
}

function signalNumber(sig: NodeJS.Signals | null): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }
  return sig ? (table[sig] ?? 0) : 0
}
