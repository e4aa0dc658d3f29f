#!/usr/bin/env node
// pnpm bench: what users feel — the BUILT CLI (`node apps/cli/dist/bin.js`) as a whole process,
// against a floor measured in the same run: Node spawning the same processes (floor.mjs), and
// `node -e 0` for start-up. Runs alternate (floor, CLI, floor, CLI …) so drift hits both; medians.
//   BENCH_REPEAT=n (default 5)   BENCH_CONCURRENCY=n (default 2, like the 2-core machines)
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const BIN = join(ROOT, 'apps/cli/dist/bin.js')
const FLOOR = join(dirname(fileURLToPath(import.meta.url)), 'floor.mjs')
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2)
const TARGET = { ratio: 1.2, marginalMs: 0.3, cachedS: 0.3, coldStartMs: 150 }

const independent = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, { run: 'true' }]))
const chain = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, i === 0 ? { run: 'true' } : { run: 'true', needs: [`s${i - 1}`] }]))
function layers(depth, width) {
  const stages = {}
  for (let l = 0; l < depth; l++) {
    for (let w = 0; w < width; w++) stages[`l${l}_${w}`] = l === 0 ? { run: 'true' } : { run: 'true', needs: Array.from({ length: width }, (_, k) => `l${l - 1}_${k}`) }
  }
  return stages
}

/** Wall time of a whole process, in ms; throws when it fails. */
function time(cmd, args, cwd) {
  const start = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true', NO_COLOR: '1' } })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`)
  return ms
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (ms) => `${ms.toFixed(0).padStart(7)} ms`

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'pw-bench-'))
  const missed = []
  console.log(`Pipewright CLI benchmark — the built CLI as a whole process vs. the floor in the same run; concurrency ${CONCURRENCY}, median of ${REPEAT}\n`)

  const nodeStart = []
  const cliStart = []
  for (let i = 0; i < REPEAT + 1; i++) {
    const floor = time(process.execPath, ['-e', '0'], dir)
    const cli = time(process.execPath, [BIN, '--version'], dir)
    if (i > 0) {
      nodeStart.push(floor)
      cliStart.push(cli)
    }
  }
  const coldStart = median(cliStart)
  console.log(`cold start: pipewright --version ${fmt(coldStart)}  (node -e 0: ${fmt(median(nodeStart))})  target < ${TARGET.coldStartMs} ms ${coldStart < TARGET.coldStartMs ? 'ok' : 'MISSED'}`)
  if (coldStart >= TARGET.coldStartMs) missed.push('cold start')

  const one = join(dir, 'one.yml')
  await writeFile(one, JSON.stringify({ name: 'one', stages: { a: { run: 'true' } } }))
  const fixed = []
  for (let i = 0; i < REPEAT + 1; i++) {
    const ms = time(process.execPath, [BIN, 'run', '-f', one, '--home', join(dir, 'home-one')], dir)
    if (i > 0) fixed.push(ms)
  }
  console.log(`fixed cost: pipewright run of one stage ${fmt(median(fixed))}\n`)

  console.log(`${'pipeline'.padEnd(30)}${'floor'.padStart(11)}${'pipewright'.padStart(11)}${'ratio'.padStart(8)}  marginal/stage   (targets: ratio ≤ ${TARGET.ratio}, ≤ ${TARGET.marginalMs} ms/stage)`)
  for (const [name, stages] of [['1000 independent stages', independent(1000)], ['chain of 200', chain(200)], ['10 layers x 20, fully connected', layers(10, 20)]]) {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yml`)
    await writeFile(file, JSON.stringify({ name: name.replace(/\W+/g, '-'), stages }))
    const n = Object.keys(stages).length
    const floors = []
    const clis = []
    for (let i = 0; i < REPEAT + 1; i++) {
      const f = time(process.execPath, [FLOOR, file, String(CONCURRENCY)], dir)
      const c = time(process.execPath, [BIN, 'run', '-f', file, '--concurrency', String(CONCURRENCY), '--home', join(dir, `home-${i}`)], dir)
      if (i > 0) {
        floors.push(f)
        clis.push(c)
      }
    }
    const f = median(floors)
    const c = median(clis)
    const ratio = c / f
    const marginal = (c - median(fixed) - (f - median(nodeStart))) / n
    const ok = ratio <= TARGET.ratio
    if (!ok) missed.push(name)
    console.log(`${name.padEnd(30)}${fmt(f)}${fmt(c)}${ratio.toFixed(2).padStart(8)}  ${marginal.toFixed(3)} ms ${ok ? 'ok' : 'MISSED'}`)
  }

  const cachedStages = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`c${i}`, { run: `true ${i}`, cache: { inputs: [] } }]))
  const cachedFile = join(dir, 'cached.yml')
  await writeFile(cachedFile, JSON.stringify({ name: 'cached-1000', stages: cachedStages }))
  const home = join(dir, 'home-cached')
  time(process.execPath, [BIN, 'run', '-f', cachedFile, '--concurrency', String(CONCURRENCY), '--home', home], dir)
  const cached = []
  for (let i = 0; i < REPEAT; i++) cached.push(time(process.execPath, [BIN, 'run', '-f', cachedFile, '--json', '--home', home], dir))
  const c = median(cached) / 1000
  console.log(`\nfully cached re-run of 1000 stages: ${c.toFixed(3)} s (target < ${TARGET.cachedS} s) ${c < TARGET.cachedS ? 'ok' : 'MISSED'}`)
  if (c >= TARGET.cachedS) missed.push('cached re-run')

  await rm(dir, { recursive: true, force: true })
  // A missed target fails the command, so a regression cannot pass unnoticed. It is sensitive to
  // other load on the machine: run it on a quiet one.
  if (missed.length > 0) {
    console.log(`\nmissed: ${missed.join(', ')}`)
    process.exitCode = 1
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
