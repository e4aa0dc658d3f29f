#!/usr/bin/env node
// pnpm bench (after bench.mjs): runs the BUILT CLI on a stage that prints 200 MB, once as a single
// line and once as 100-byte lines, and prints wall time and the CLI's peak RSS. A stage's output
// must cost time and memory in proportion to its size, never to the length of one line.
// BENCH_OUTPUT_MB=n changes the size; BENCH_OUTPUT_TIMEOUT_S=n gives up on a case after n seconds.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { clearInterval, setInterval } from 'node:timers'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const BIN = join(ROOT, 'apps/cli/dist/bin.js')
const MB = Number(process.env.BENCH_OUTPUT_MB ?? 200)
const TIMEOUT_S = Number(process.env.BENCH_OUTPUT_TIMEOUT_S ?? 300)
const GNU_TIME = '/usr/bin/time'

// `head -c` cuts a stream of 'x' (one line) or of 99 'x' + newline (100-byte lines) at exactly MB MiB.
const CASES = [
  ['one single line', `yes x | tr -d '\\n' | head -c ${MB * 1024 * 1024}`],
  ['100-byte lines', `yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -c ${MB * 1024 * 1024}`],
]

/** Peak RSS of a running process in KiB, polled from /proc (used when GNU time is missing). */
function vmHwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

function runCli(file, home) {
  const viaTime = existsSync(GNU_TIME)
  const [cmd, args] = viaTime ? [GNU_TIME, ['-f', 'maxrss_kb=%M', process.execPath, BIN, 'run', '-f', file]] : [process.execPath, [BIN, 'run', '-f', file]]
  const start = process.hrtime.bigint()
  const child = spawn(cmd, args, { env: { ...process.env, PIPEWRIGHT_HOME: home, CI: 'true', NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  let stderr = ''
  let peakKb = 0
  const poll = viaTime ? undefined : setInterval(() => (peakKb = Math.max(peakKb, vmHwm(child.pid))), 50)
  // The whole group: killing only GNU time would leave the CLI running.
  const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), TIMEOUT_S * 1000)
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c))
  return new Promise((resolvePromise) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (poll) clearInterval(poll)
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      const m = /maxrss_kb=(\d+)/.exec(stderr)
      if (m) peakKb = Number(m[1])
      resolvePromise({ seconds, peakKb, code, signal, stderr })
    })
  })
}

async function main() {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run pnpm build first`)
  const dir = await mkdtemp(join(tmpdir(), 'pw-bench-output-'))
  console.log(`\nPipewright CLI output benchmark — a stage printing ${MB} MiB (built CLI, peak RSS ${existsSync(GNU_TIME) ? 'from GNU time' : 'from /proc VmHWM'})\n`)
  console.log(`${'output'.padEnd(20)}${'wall'.padStart(10)}${'peak RSS'.padStart(12)}`)
  let failed = false
  try {
    for (const [name, command] of CASES) {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.yml`)
      await writeFile(file, `name: output-bench\nstages:\n  print:\n    run: ${JSON.stringify(command)}\n`)
      const r = await runCli(file, join(dir, 'home'))
      const done = r.code === 0
      failed ||= !done
      const outcome = done ? '' : r.signal === 'SIGKILL' || /Command terminated by signal 9/.test(r.stderr) ? `  did not finish in ${TIMEOUT_S} s` : `  exit ${r.code}: ${r.stderr.trim().split('\n').at(-1)}`
      console.log(`${name.padEnd(20)}${`${r.seconds.toFixed(1)} s`.padStart(10)}${`${(r.peakKb / 1024).toFixed(0)} MiB`.padStart(12)}${outcome}`)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  if (failed) process.exitCode = 1
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
