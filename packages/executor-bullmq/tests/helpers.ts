import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import pg from 'pg'
import { labelSubsets, queueFor } from '../src/index.js'

export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)))
/** The real services the tests use (`bash tools/services/up.sh` starts them). */
export const POSTGRES_URL = process.env.PIPEWRIGHT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const REDIS_URL = process.env.PIPEWRIGHT_TEST_REDIS ?? 'redis://127.0.0.1:6379'

export const uniqueName = (prefix: string) => `${prefix}${randomBytes(5).toString('hex')}`

/** Drops a test's schema and removes its queues (every label combination used) from the shared Redis. */
export async function cleanupServices(schema: string, queue: string, labels: string[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end())
  for (const subset of labelSubsets(labels)) {
    const q = new Queue(queueFor(queue, subset), { connection: { host: '127.0.0.1', port: 6379 } })
    await q.obliterate({ force: true }).catch(() => {})
    await q.close()
  }
}

/** A git repository in a temp dir with `files` committed. */
export async function gitProject(files: Record<string, string>): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pw-fleet-'))
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' })
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init')
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** A worker process (tests/fixtures/worker.ts); `ready` resolves to its worker id. */
export function startWorker(args: { schema: string; queue: string; labels?: string[] }) {
  const child = spawn(process.execPath, ['--conditions=@pipewright/source', '--import', 'jiti/register', 'tests/fixtures/worker.ts', REDIS_URL, POSTGRES_URL, args.schema, args.queue, (args.labels ?? []).join(',')], {
    cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const match = /^ready (\S+)$/m.exec(stdout)
      if (match) resolve(match[1]!)
    })
    child.on('close', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)))
  })
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
  return { child, ready, exited, output: () => stdout, errors: () => stderr }
}
