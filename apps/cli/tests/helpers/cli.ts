import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { afterEach } from 'vitest'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/bin.js')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** A child `pipewright` process whose output is collected as it arrives. */
export interface RunningCli {
  child: ChildProcess
  stdout(): string
  stderr(): string
  done: Promise<CliResult>
  /** Resolves once stdout matches. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>
}

/** Environment for deterministic plain output: CI=true, no colours, no inherited secrets or home. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('PIPEWRIGHT_') || k === 'FORCE_COLOR' || k === 'DOCKER_HOST') continue
    env[k] = v
  }
  Object.assign(env, { CI: 'true', NO_COLOR: '1' }, extra)
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  return env
}

export function startCli(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; detached?: boolean }): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cliEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached })
  let out = ''
  let err = ''
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }> = []
  const check = () => {
    for (const w of [...waiters]) {
      const m = out.match(w.pattern)
      if (m) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(m)
      }
    }
  }
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    check()
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout: out, stderr: err }))
  })
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor: (pattern) =>
      new Promise((resolvePromise, reject) => {
        const m = out.match(pattern)
        if (m) return resolvePromise(m)
        waiters.push({ pattern, resolve: resolvePromise })
        void done.then((r) => reject(new Error(`CLI exited (${r.code ?? r.signal}) before printing ${pattern}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`)))
      }),
  }
}

/** Runs `pipewright …` to completion. */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  return startCli(args, options).done
}

/** A temp directory with the given files (paths may contain sub directories). */
export async function makeProject(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pw-cli-'))
  for (const [name, body] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true })
    await writeFile(join(dir, name), body)
  }
  return dir
}

export async function removeProject(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** `project(files)` for a test file: temp projects, each removed after the test that made it. */
export function useTempProjects(): (files?: Record<string, string>) => Promise<string> {
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(removeProject))
  })
  return async (files = {}) => {
    const dir = await makeProject(files)
    dirs.push(dir)
    return dir
  }
}
