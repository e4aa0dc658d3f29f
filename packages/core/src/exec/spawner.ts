import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { SplitPattern } from './line-reader.js'
import { spawnProcess, type SpawnOptions, type SpawnResult } from './process.js'
import type { FromSpawner, ToSpawner } from './spawner-protocol.js'

/** Starts stage commands. */
export interface ProcessRunner {
  run(options: SpawnOptions & { splitPattern?: SplitPattern }): Promise<SpawnResult>
  /** Stops the helper (if any) once the commands it runs are over. */
  close(): Promise<void>
}

/** Spawns from this process. */
export const directRunner: ProcessRunner = { run: (options) => spawnProcess(options), close: async () => {} }

interface Pending {
  options: SpawnOptions
  resolve(result: SpawnResult): void
  onAbort?: () => void
}

/**
 * Starts stage commands from a small helper process. fork() copies the page tables of the process
 * that calls it, so spawning from the engine's process — which grows with the run — costs in
 * proportion to its memory; the helper stays small and spawns at the cost of a bare Node process.
 * Until the helper is up, commands are spawned directly; if it dies, the commands it ran fail as
 * interrupted and later ones are spawned directly.
 */
export function createSpawner(options: { script?: string; execArgv?: string[] } = {}): ProcessRunner {
  const script = options.script ?? fileURLToPath(new URL('./spawner-child.js', import.meta.url))
  // Tests run from sources, where no built helper exists: spawn directly there.
  // PIPEWRIGHT_SPAWNER=0 does so too (to compare, or where forking a helper is not allowed).
  if (!existsSync(script) || process.env.PIPEWRIGHT_SPAWNER === '0') return directRunner
  let child: ChildProcess | undefined
  let ready = false
  let dead = false
  let nextId = 1
  const pending = new Map<number, Pending>()

  const start = () => {
    child = fork(script, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: options.execArgv ?? [], serialization: 'json' })
    child.on('message', (message: FromSpawner) => {
      if (message.t === 'ready') ready = true
      else if (message.t === 'lines') {
        const p = pending.get(message.id)
        for (const line of message.lines) p?.options.onLine?.(message.stream, line)
      } else if (message.t === 'done') {
        const p = pending.get(message.id)
        pending.delete(message.id)
        if (p?.onAbort) p.options.signal?.removeEventListener('abort', p.onAbort)
        p?.resolve(message.result)
      }
    })
    child.on('exit', () => {
      dead = true
      ready = false
      for (const p of pending.values()) p.resolve({ exitCode: 137, signal: 'SIGKILL', timedOut: false, cancelled: false, stdout: '', stderr: '', spawnError: 'the process that started this command died' })
      pending.clear()
    })
    // The helper must never keep the engine's process alive on its own.
    child.unref()
    child.channel?.unref()
  }

  return {
    run(opts) {
      if (!child && !dead) start()
      if (!ready || dead || opts.signal?.aborted) return spawnProcess(opts)
      const id = nextId++
      return new Promise<SpawnResult>((resolve) => {
        const entry: Pending = { options: opts, resolve }
        pending.set(id, entry)
        // Keep the channel referenced while a command runs, so the engine waits for it.
        if (pending.size === 1) child!.channel?.ref()
        const done = entry.resolve
        entry.resolve = (result) => {
          done(result)
          if (pending.size === 0) child?.channel?.unref()
        }
        if (opts.signal) {
          entry.onAbort = () => child?.send({ t: 'abort', id } satisfies ToSpawner)
          opts.signal.addEventListener('abort', entry.onAbort, { once: true })
        }
        const request: ToSpawner = {
          t: 'spawn',
          id,
          command: opts.command,
          cwd: opts.cwd,
          env: opts.env,
          ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
          ...(opts.input !== undefined ? { input: opts.input } : {}),
          ...(opts.capture ? { capture: true } : {}),
          ...(opts.splitPattern ? { split: opts.splitPattern } : {}),
        }
        child!.send(request)
      })
    },
    async close() {
      if (!child || dead) return
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()))
      child.disconnect()
      // A referenced timer: the engine's process must not end (with its await pending) before this returns.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))])
      clearTimeout(timer)
    },
  }
}
