#!/usr/bin/env node
// pnpm bench (after bench.mjs): log throughput through redaction into the store — the engine's
// part of a chatty stage, on one core. An executor hands the engine 20 MiB of 100-byte lines (a
// tenth hold a secret); the engine redacts them, emits them and the recorder writes them into a
// SQLite store. Prints MB/s of CPU time (steady on a busy machine) and of wall time.
//   BENCH_LOG_MB=n (default 20)   BENCH_REPEAT=n (default 5)
import 'reflect-metadata'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { setImmediate } from 'node:timers'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEngine, EXECUTOR } from '@pipewright/core'
import { createSqliteStore } from '@pipewright/store-sqlite'

const MB = Number(process.env.BENCH_LOG_MB ?? 20)
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5)
const TARGET_MB_S = 100
const SECRET = 's3cr3t-token-value-0123456789'
const plain = 'x'.repeat(99)
const secretLine = `token=${SECRET} `.padEnd(99, 'y')
const LINES = Math.floor((MB * 1024 * 1024) / 100)

/** An executor whose "process" printed LINES lines, handed over the way a chunk of output is. */
const executor = {
  async execute(_job, io) {
    const CHUNK = 650 // about one 64 KiB read of 100-byte lines
    for (let i = 0; i < LINES; i += CHUNK) {
      for (let j = i; j < Math.min(LINES, i + CHUNK); j++) io.log('stdout', j % 10 === 0 ? secretLine : plain)
      await new Promise((resolve) => setImmediate(resolve))
    }
    return { ok: true, exitCode: 0 }
  },
}

const dir = await mkdtemp(join(tmpdir(), 'pw-bench-logs-'))
const file = join(dir, 'pipewright.yml')
await writeFile(file, 'name: chatty\nsecrets: [TOKEN]\nstages:\n  chatty: { run: "true" }\n')
const cpu = []
const wall = []
for (let i = 0; i < REPEAT + 1; i++) {
  const store = createSqliteStore({ dir: join(dir, `home-${i}`) })
  const engine = createEngine({ store, services: [{ token: EXECUTOR, useValue: executor }], logLimitBytes: 1024 * 1024 * 1024, env: { PIPEWRIGHT_SECRET_TOKEN: SECRET } })
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const result = await (await engine.run(file)).result
  await engine.close()
  await store.close()
  const c = process.cpuUsage(c0)
  if (result.status !== 'succeeded') throw new Error(`run ended ${result.status}`)
  if (i === 0) continue // warm-up
  cpu.push((c.user + c.system) / 1e6)
  wall.push(Number(process.hrtime.bigint() - t0) / 1e9)
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const bytes = LINES * 100
const perCpu = bytes / 1e6 / median(cpu)
console.log(`\nlog throughput through redaction into the store (${MB} MiB of 100-byte lines, a tenth with a secret), median of ${REPEAT}:`)
console.log(`  ${perCpu.toFixed(0)} MB per CPU-second (target ≥ ${TARGET_MB_S}) ${perCpu >= TARGET_MB_S ? 'ok' : 'MISSED'}; ${(bytes / 1e6 / median(wall)).toFixed(0)} MB/s wall`)
await rm(dir, { recursive: true, force: true })
if (perCpu < TARGET_MB_S) process.exitCode = 1
