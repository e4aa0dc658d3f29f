#!/usr/bin/env node
// The floor of the CLI benchmark: Node spawning the same processes as a pipeline file, in
// dependency order, `--concurrency` at once, with piped output read and nothing else.
//   node floor.mjs <pipeline.json> <concurrency>
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'

const stages = JSON.parse(readFileSync(process.argv[2], 'utf8')).stages
const concurrency = Number(process.argv[3] ?? 2)
const ids = Object.keys(stages)
const waiting = new Map(ids.map((id) => [id, (stages[id].needs ?? []).length]))
const dependents = new Map(ids.map((id) => [id, []]))
for (const id of ids) for (const n of stages[id].needs ?? []) dependents.get(n).push(id)
const ready = ids.filter((id) => waiting.get(id) === 0)
let active = 0
let done = 0
await new Promise((resolve) => {
  const pump = () => {
    while (active < concurrency && ready.length > 0) {
      const id = ready.shift()
      active++
      const child = spawn('sh', ['-c', stages[id].run], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
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
