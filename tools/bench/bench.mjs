#!/usr/bin/env node
// pnpm bench: runs generated pipelines on the built engine with the embedded SQLite store and
// prints, in the same run, the floor (Node spawning the same processes with the same
// parallelism) and the engine's overhead per stage over that floor.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { createEngine } from '@pipewright/core'
import { createSqliteStore } from '@pipewright/store-sqlite'

const CONCURRENCY = availableParallelism()
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3)
const TARGET_OVERHEAD_MS = 0.3
const TARGET_CACHED_S = 0.35

function independent(n) {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, { run: 'true' }]))
}
function chain(n) {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, i === 0 ? { run: 'true' } : { run: 'true', needs: [`s${i - 1}`] }]))
}
function layers(depth, width) {
  const stages = {}
  for (let l = 0; l < depth; l++) {
    for (let w = 0; w < width; w++) {
      stages[`l${l}_${w}`] = l === 0 ? { run: 'true' } : { run: 'true', needs: Array.from({ length: width }, (_, k) => `l${l - 1}_${k}`) }
    }
  }
  return stages
}

/** The floor: spawn `sh -c true` for every stage in dependency order, `CONCURRENCY` at once, nothing else. */
async function floor(stages) {
  const ids = Object.keys(stages)
  const waiting = new Map(ids.map((id) => [id, (stages[id].needs ?? []).length]))
  const dependents = new Map(ids.map((id) => [id, []]))
  for (const id of ids) for (const n of stages[id].needs ?? []) dependents.get(n).push(id)
  const ready = ids.filter((id) => waiting.get(id) === 0)
  let active = 0
  let done = 0
  const start = process.hrtime.bigint()
  await new Promise((resolve) => {
    const pump = () => {
      while (active < CONCURRENCY && ready.length > 0) {
        const id = ready.shift()
        active++
        const child = spawn('sh', ['-c', 'true'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
        child.stdout.on('data', () => {})
        child.stderr.on('data', () => {})
        child.on('close', () => {
          active--
          done++
          for (const d of dependents.get(id)) if (waiting.set(d, waiting.get(d) - 1).get(d) === 0) ready.push(d)
          if (done === ids.length) resolve()
          else pump()
        })
      }
    }
    pump()
  })
  return Number(process.hrtime.bigint() - start) / 1e6
}

async function engineRun(engine, file, options = {}) {
  const start = process.hrtime.bigint()
  const handle = await engine.run(file, { concurrency: CONCURRENCY, ...options })
  const result = await handle.result
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 'succeeded') throw new Error(`bench pipeline ${file} ended ${result.status}`)
  return { ms, result }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (ms) => `${ms.toFixed(0).padStart(6)} ms`

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'pw-bench-'))
  const store = createSqliteStore({ dir: join(dir, '.pipewright') })
  const engine = createEngine({ store, cwd: dir })
  const cases = [
    ['1000 independent stages', independent(1000)],
    ['chain of 200', chain(200)],
    ['10 layers x 20, fully connected', layers(10, 20)],
  ]
  console.log(`Pipewright engine benchmark — ${CONCURRENCY} cores, median of ${REPEAT}, store: SQLite (WAL)\n`)
  console.log(`${'pipeline'.padEnd(34)}${'floor'.padStart(10)}${'engine'.padStart(10)}   overhead/stage (target ≤ ${TARGET_OVERHEAD_MS} ms)`)
  let worst = 0
  for (const [name, stages] of cases) {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yml`)
    await writeFile(file, stringify({ name: name.replace(/\W+/g, '-'), stages }))
    const n = Object.keys(stages).length
    await engineRun(engine, file) // warm-up: JIT, page cache, SQLite file
    const floors = []
    const engines = []
    for (let i = 0; i < REPEAT; i++) {
      floors.push(await floor(stages))
      engines.push((await engineRun(engine, file)).ms)
    }
    const f = median(floors)
    const e = median(engines)
    const per = (e - f) / n
    worst = Math.max(worst, per)
    console.log(`${name.padEnd(34)}${fmt(f)}${fmt(e)}   ${per.toFixed(3)} ms ${per <= TARGET_OVERHEAD_MS ? 'ok' : 'OVER TARGET'}`)
  }

  const cachedStages = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`c${i}`, { run: `true ${i}`, cache: { inputs: [] } }]))
  const cachedFile = join(dir, 'cached.yml')
  await writeFile(cachedFile, stringify({ name: 'cached-1000', stages: cachedStages }))
  await engineRun(engine, cachedFile)
  const cached = []
  for (let i = 0; i < REPEAT; i++) {
    const { ms, result } = await engineRun(engine, cachedFile)
    if (result.stages.some((s) => s.status !== 'cached')) throw new Error('cached re-run executed a stage')
    cached.push(ms)
  }
  const c = median(cached) / 1000
  console.log(`\nfully cached re-run of 1000 stages: ${c.toFixed(3)} s (target < ${TARGET_CACHED_S} s) ${c < TARGET_CACHED_S ? 'ok' : 'OVER TARGET'}`)
  await engine.close()
  await store.close()
  await rm(dir, { recursive: true, force: true })
  console.log(`\nworst overhead per stage: ${worst.toFixed(3)} ms`)
  // A missed target fails the command, so a regression cannot pass unnoticed (on a quiet machine:
  // other load on these 2 cores shows up as overhead).
  if (worst > TARGET_OVERHEAD_MS || c >= TARGET_CACHED_S) process.exitCode = 1
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
