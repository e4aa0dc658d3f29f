import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

/** The real PostgreSQL of the multi-server tests (trust auth on 127.0.0.1). */
export const POSTGRES_URL = process.env.PIPEWRIGHT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres'
/** The built CLI (`pnpm build` first). */
export const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../cli/dist/bin.js')

export interface Served { child: ChildProcess; url: string; output: () => string }

/** `pipewright serve <args>` in its own process; resolves once it prints its URL. */
export function serveProcess(args: string[], options: { cwd: string; env: Record<string, string | undefined> }): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: options.cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: string) => {
      output += chunk
      const match = /Pipewright server on (http:\/\/\S+)/.exec(output)
      if (match) resolve({ child, url: match[1]!, output: () => output })
    }
    child.stdout!.setEncoding('utf8').on('data', onData)
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`pipewright serve exited (${code}) before listening:\n${output}`)))
  })
}

/** Stops a served process with `signal` (SIGKILL after 15 s) and waits for it to exit. */
export async function stopServed(served: Served | undefined, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (!served || served.child.exitCode !== null || served.child.signalCode !== null) return
  const exited = new Promise((resolve) => served.child.once('exit', resolve))
  served.child.kill(signal)
  const timer = setTimeout(() => served.child.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}

/** Drops a test's PostgreSQL schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  } finally {
    await client.end()
  }
}
