// Micro-benchmark: store overhead per stage for the engine's typical write mix
// (2 putStage + 4 events + 10 log lines per stage), including the final commit.
//   pnpm --filter @pipewright/store-sqlite bench [stages]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createSqliteStore } from '../src/index.js'

const stages = Number(process.argv[2] ?? 1000)
const rounds = 5

async function round(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-'))
  const store = createSqliteStore({ dir })
  try {
    const runId = 'bench'
    const now = Date.now()
    const start = performance.now()
    await store.createRun({ id: runId, pipeline: 'bench', dir, status: 'running', plan: { pipeline: 'bench', stages: [] }, options: {}, createdAt: now, pid: process.pid, host: 'bench', heartbeatAt: now })
    let eventSeq = 0
    let logSeq = 0
    for (let i = 0; i < stages; i++) {
      const stageId = `stage-${i}`
      await store.putStage({ runId, stageId, status: 'running', attempts: 1, exitCode: null, startedAt: now, outputs: {} })
      await store.appendEvents([{ runId, seq: eventSeq++, type: 'stage:started', payload: { runId, stageId, attempt: 1, at: now }, at: now }])
      for (let n = 0; n < 10; n++) {
        await store.appendLogs([{ runId, stageId, seq: logSeq++, stream: 'stdout', line: `compiling module ${n} of ${stageId} ... done`, at: now }])
      }
      for (const type of ['stage:outputs', 'gate:evaluated', 'stage:finished']) {
        await store.appendEvents([{ runId, seq: eventSeq++, type, payload: { runId, stageId, status: 'succeeded', outputs: { version: '1.0.0' }, at: now }, at: now }])
      }
      await store.putStage({ runId, stageId, status: 'succeeded', attempts: 1, exitCode: 0, startedAt: now, finishedAt: now, durationMs: 1, outputs: { version: '1.0.0' } })
    }
    await store.flush()
    return performance.now() - start
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const times: number[] = []
for (let r = 0; r < rounds; r++) times.push(await round())
times.sort((a, b) => a - b)
const median = times[Math.floor(rounds / 2)]!
console.log(`store-sqlite writes: ${stages} stages x (2 putStage + 4 events + 10 log lines), ${rounds} rounds`)
console.log(`  median ${((median * 1000) / stages).toFixed(1)} µs/stage (best ${((times[0]! * 1000) / stages).toFixed(1)}, total ${median.toFixed(1)} ms)`)
