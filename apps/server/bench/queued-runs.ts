// Benchmark: 1000 runs queued through one server's HTTP API, their stages on 4 BullMQ worker processes.
//   pnpm --filter @pipewright/server bench [runs]
// The server is `pipewright serve --queue`'s assembly: createServer over an engine whose executor is
// the BullMQ coordinator. All runs are triggered at once with POST /api/runs (50 requests in flight);
// the figure that matters is the scheduling latency of their stages — from a stage being ready while
// a worker slot is free to its start on a worker — p50/p99 (target: p99 < 50 ms). "Queued → started"
// adds the time a stage waits because all 16 worker slots are busy: it measures the backlog.
// Needs Redis on 127.0.0.1:6379 (bash tools/services/up.sh). Numbers on a shared machine are noisy.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createEngine, EXECUTOR } from '@pipewright/core'
import { connectRedis, createBullmqExecutor } from '@pipewright/executor-bullmq'
import { createSqliteStore } from '@pipewright/store-sqlite'
import { createApiToken, createServer } from '../src/index.js'

const runs = Number(process.argv[2] ?? 1000)
const WORKERS = 4
const WORKER_CONCURRENCY = 4
const redisUrl = process.env.PIPEWRIGHT_REDIS ?? 'redis://127.0.0.1:6379'
const queue = `bench-server-${randomBytes(4).toString('hex')}`
const workerScript = join(dirname(createRequire(import.meta.url).resolve('@pipewright/executor-bullmq/package.json')), 'bench', 'worker-process.ts')

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}

function startWorkers(): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: WORKERS }, () => new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@pipewright/source', '--import', 'jiti/register', workerScript, redisUrl, queue, String(WORKER_CONCURRENCY)], { cwd: dirname(dirname(workerScript)), stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout!.setEncoding('utf8').on('data', (text: string) => text.includes('ready') && resolve(child))
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)))
  })))
}

const dir = mkdtempSync(join(tmpdir(), 'pw-bench-server-'))
const file = join(dir, 'pipewright.yml')
writeFileSync(file, 'name: single\nstages:\n  one:\n    run: "true"\n')
const workers = await startWorkers()
const latencies: number[] = []
const queued: number[] = []
const executor = await createBullmqExecutor({ redisUrl, queue, onScheduled: (ms, _job, waited) => (latencies.push(ms), queued.push(waited)) })
const store = createSqliteStore({ dir: join(dir, '.pipewright') })
const engine = createEngine({ store, cwd: dir, pins: 'off', env: { PATH: process.env.PATH }, services: [{ token: EXECUTOR, useValue: executor }] })
const server = await createServer({ engine, pipelines: [file] })
try {
  const url = await server.listen({ host: '127.0.0.1', port: 0 })
  const { token } = await createApiToken(store, { name: 'bench', role: 'operator' })
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const start = performance.now()
  const ids: string[] = []
  let next = 0
  const trigger = async () => {
    while (next < runs) {
      next++
      const res = await fetch(`${url}/api/runs`, { method: 'POST', headers, body: JSON.stringify({ pipeline: 'single' }) })
      if (res.status !== 202) throw new Error(`POST /api/runs answered ${res.status}: ${await res.text()}`)
      ids.push(((await res.json()) as { id: string }).id)
    }
  }
  await Promise.all(Array.from({ length: 50 }, trigger))
  const accepted = performance.now() - start
  let finished = 0
  while (finished < runs) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    finished = (await store.listRuns({ limit: runs + 10 })).filter((r) => r.status === 'succeeded' || r.status === 'failed').length
  }
  const wall = performance.now() - start
  const failed = (await store.listRuns({ limit: runs + 10 })).filter((r) => r.status !== 'succeeded').length
  console.log(`${runs} one-stage runs triggered through one server's API (POST /api/runs, 50 in flight), stages on ${WORKERS} workers × ${WORKER_CONCURRENCY}:`)
  console.log(`  all accepted (202) in ${(accepted / 1000).toFixed(1)} s; all finished in ${(wall / 1000).toFixed(1)} s${failed ? `; ${failed} did not succeed` : ''}`)
  console.log(`  scheduling latency (ready with a free worker slot → started): p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms (target p99 < 50 ms: ${pct(latencies, 99) < 50 ? 'met' : 'NOT met'})`)
  console.log(`  queued → started (includes waiting for busy workers): p50 ${pct(queued, 50).toFixed(1)} ms, p99 ${pct(queued, 99).toFixed(1)} ms`)
} finally {
  await server.close()
  await engine.close()
  for (const w of workers) w.kill('SIGTERM')
  const redis = await connectRedis(redisUrl)
  const keys = await redis.keys(`*${queue}*`)
  if (keys.length) await redis.del(...keys)
  redis.disconnect()
  rmSync(dir, { recursive: true, force: true })
}
