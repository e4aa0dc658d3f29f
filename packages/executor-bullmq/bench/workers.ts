// Benchmark: stages on 4 BullMQ worker processes against the local executor.
//   pnpm --filter @pipewright/executor-bullmq bench [stages] [runs]
// 1. one pipeline of `stages` trivial independent stages (`true`), 16 at a time: wall time and
//    time per stage with the local executor and with 4 local workers (concurrency 4 each), and the
//    scheduling latency of worker stages p50/p99: from when a stage was ready and a worker slot was
//    free to its start (also queued → started, which includes waiting for busy workers);
// 2. `runs` one-stage runs queued at once on 4 workers: scheduling latency p50/p99 (target p99 < 50 ms).
// Needs Redis on 127.0.0.1:6379 (bash tools/services/up.sh). Numbers on a shared machine are noisy.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import { createEngine, EXECUTOR, type StageExecutor } from '@pipewright/core'
import { createBullmqExecutor } from '../src/index.js'

const stages = Number(process.argv[2] ?? 1000)
const runs = Number(process.argv[3] ?? 1000)
const redisUrl = process.env.PIPEWRIGHT_REDIS ?? 'redis://127.0.0.1:6379'
const here = dirname(fileURLToPath(import.meta.url))
const queue = `bench${randomBytes(4).toString('hex')}`

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}

function startWorkers(count: number) {
  return Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof spawn>>((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@pipewright/source', '--import', 'jiti/register', join(here, 'worker-process.ts'), redisUrl, queue, '4'], { cwd: dirname(here), stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout!.setEncoding('utf8').on('data', (text: string) => text.includes('ready') && resolve(child))
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)))
  })))
}

async function pipelineRun(dir: string, file: string, executor: StageExecutor | undefined, concurrency: number): Promise<number> {
  const engine = createEngine({ cwd: dir, ...(executor ? { services: [{ token: EXECUTOR, useValue: executor }] } : {}) })
  const start = performance.now()
  const result = await (await engine.run(file, { concurrency })).result
  const wall = performance.now() - start
  if (result.status !== 'succeeded') throw new Error(`run ${result.status}`)
  await engine.close()
  return wall
}

const dir = mkdtempSync(join(tmpdir(), 'pw-bench-workers-'))
const wide = join(dir, 'wide.yml')
writeFileSync(wide, `name: wide\nstages:\n${Array.from({ length: stages }, (_, i) => `  s${i}:\n    run: "true"\n`).join('')}`)
const single = join(dir, 'single.yml')
writeFileSync(single, 'name: single\nstages:\n  one:\n    run: "true"\n')

const workers = await startWorkers(4)
try {
  const local = await pipelineRun(dir, wide, undefined, 16)
  const latencies: number[] = []
  const queued: number[] = []
  const executor = await createBullmqExecutor({ redisUrl, queue, onScheduled: (ms, _job, waited) => (latencies.push(ms), queued.push(waited)) })
  const remote = await pipelineRun(dir, wide, { execute: (job, io) => executor.execute(job, io) }, 16)
  console.log(`${stages} trivial stages, 16 at a time:`)
  console.log(`  local executor:      ${(local / 1000).toFixed(1)} s wall, ${(local / stages).toFixed(1)} ms per stage`)
  console.log(`  4 workers (BullMQ):  ${(remote / 1000).toFixed(1)} s wall, ${(remote / stages).toFixed(1)} ms per stage (overhead ${((remote - local) / stages).toFixed(1)} ms per stage)`)
  console.log(`  scheduling latency (ready with a free worker slot → started): p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms`)
  console.log(`  queued → started (includes waiting for busy workers): p50 ${pct(queued, 50).toFixed(1)} ms, p99 ${pct(queued, 99).toFixed(1)} ms`)

  latencies.length = 0
  queued.length = 0
  const engine = createEngine({ cwd: dir, services: [{ token: EXECUTOR, useValue: { execute: (job, io) => executor.execute(job, io) } }] })
  const start = performance.now()
  const handles = await Promise.all(Array.from({ length: runs }, () => engine.run(single)))
  const results = await Promise.all(handles.map((h) => h.result))
  const wall = performance.now() - start
  await engine.close()
  const failed = results.filter((r) => r.status !== 'succeeded').length
  console.log(`${runs} one-stage runs queued at once on 4 workers: ${(wall / 1000).toFixed(1)} s wall${failed ? `, ${failed} failed` : ''}`)
  console.log(`  scheduling latency (ready with a free worker slot → started): p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms (target p99 < 50 ms: ${pct(latencies, 99) < 50 ? 'met' : 'NOT met'})`)
  console.log(`  queued → started (includes waiting for busy workers): p50 ${pct(queued, 50).toFixed(1)} ms, p99 ${pct(queued, 99).toFixed(1)} ms`)
  await executor.close()
} finally {
  for (const w of workers) w.kill('SIGTERM')
  const q = new Queue(queue, { connection: { host: '127.0.0.1', port: 6379 } })
  await q.obliterate({ force: true }).catch(() => {})
  await q.close()
  rmSync(dir, { recursive: true, force: true })
}
