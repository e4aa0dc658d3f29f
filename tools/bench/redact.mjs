#!/usr/bin/env node
// node tools/bench/redact.mjs [module] (after pnpm build): the cost of redaction as the engine
// pays it, one call per log line, on 20 MB of 100-byte lines, some of which hold a secret in one
// of its forms. Prints the median of BENCH_REPEAT (default 15) runs: CPU time (steady on a busy
// machine) and wall time. `module` is another build exporting createRedactor, to compare.
import { pathToFileURL } from 'node:url'

const { createRedactor } = await import(process.argv[2] ? pathToFileURL(process.argv[2]).href : '@pipewright/core')
const REPEAT = Number(process.env.BENCH_REPEAT ?? 15)
const SECRETS = ['ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1st1c00', 'p@ss w0rd+/=é', 'AKIAIOSFODNN7EXAMPLE', 'line-one-of-a-key\nline-two-of-a-key']

function lines() {
  const filler = 'the quick brown fox jumps over the lazy dog 0123456789 '.repeat(4)
  const inserts = [SECRETS[0], encodeURIComponent(SECRETS[1]).toLowerCase(), Buffer.from(SECRETS[2]).toString('base64'), SECRETS[1]]
  const out = []
  for (let i = 0; i < 200_000; i++) {
    const secret = i % 50 === 0 ? inserts[(i / 50) % inserts.length] : ''
    out.push((secret + filler).slice(0, 100))
  }
  return out
}

const redact = createRedactor(SECRETS)
const input = lines()
const bytes = input.reduce((n, l) => n + l.length, 0)
const cpu = []
const wall = []
let masked = 0
for (let r = 0; r < REPEAT; r++) {
  const startCpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  masked = 0
  for (const line of input) if (redact(line) !== line) masked++
  wall.push(Number(process.hrtime.bigint() - start) / 1e6)
  cpu.push(process.cpuUsage(startCpu).user / 1000)
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const [c, w] = [median(cpu), median(wall)]
console.log(`redaction of ${(bytes / 1e6).toFixed(0)} MB in ${input.length} lines, median of ${REPEAT}: ${c.toFixed(1)} ms CPU (${(bytes / 1e6 / (c / 1000)).toFixed(0)} MB/s), ${w.toFixed(1)} ms wall; ${masked} of 4000 lines with a secret masked`)
