import { spawn } from 'node:child_process'
import { PipewrightError, type ExecResult } from '@pipewright/plugin-api'

/** Runs one process from an argv array (never through a shell). */
export type GitExec = (argv: string[], options: { cwd?: string; env?: Record<string, string>; input?: string }) => Promise<ExecResult>

/** Adapts a stage's `ctx.exec` so git output stays out of the stage log (we log our own lines). */
export function execFromContext(ctx: { exec(command: string[], options?: { cwd?: string; env?: Record<string, string>; input?: string; log?: boolean }): Promise<ExecResult> }): GitExec {
  return (argv, options) => ctx.exec(argv, { ...options, log: false })
}

/** A `GitExec` spawning real processes, for code that runs outside a stage (the watcher, helpers). */
export function spawnExec(defaults: { signal?: AbortSignal; env?: Record<string, string | undefined> } = {}): GitExec {
  return (argv, options) =>
    new Promise<ExecResult>((resolve, reject) => {
      const [command, ...args] = argv
      if (!command) {
        reject(new PipewrightError('PW_ERR_INTERNAL', 'spawnExec called with an empty argv'))
        return
      }
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: { ...(defaults.env ?? process.env), ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        signal: defaults.signal,
      })
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') {
          reject(new PipewrightError('PW_ERR_GIT_COMMAND', `Cannot run "${command}": not found on PATH`, { details: 'Install git (2.31 or newer) and make sure it is on PATH.', cause: error }))
        } else reject(error)
      })
      child.on('close', (exitCode, signal) => {
        resolve({ exitCode: exitCode ?? -1, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') })
      })
      child.stdin.on('error', () => undefined)
      child.stdin.end(options.input ?? '')
    })
}
