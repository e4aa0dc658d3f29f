import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { createSpawner, type ProcessRunner } from './spawner.js'

// From sources the helper runs through jiti (a dependency of this package); built, it is plain JS.
const CHILD = fileURLToPath(new URL('./spawner-child.ts', import.meta.url))
const JITI = ['--import', pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('jiti/package.json')), 'lib/jiti-register.mjs')).href]

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

let runner: ProcessRunner | undefined
afterEach(async () => {
  await runner?.close()
  runner = undefined
})

/** A runner whose helper is up (the first command warms it: until then commands spawn directly). */
async function warmSpawner(): Promise<ProcessRunner> {
  runner = createSpawner({ script: CHILD, execArgv: JITI })
  const first = await runner.run({ command: 'true', cwd: tmpdir(), env: { PATH: process.env.PATH! } })
  expect(first.exitCode).toBe(0)
  // Until the helper is up, commands are spawned from this process: wait until one is not.
  const deadline = Date.now() + 30_000
  for (;;) {
    const lines: string[] = []
    await runner.run({ command: 'echo $PPID', cwd: tmpdir(), env: { PATH: process.env.PATH! }, onLine: (_stream, line) => lines.push(line) })
    if (lines[0] !== String(process.pid)) return runner
    if (Date.now() > deadline) throw new Error('the spawner helper did not start within 30 s')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('the spawner helper', () => {
  it('runs commands in a separate process and relays their lines in order, their exit and their pid tree', async () => {
    const r = await warmSpawner()
    const lines: string[] = []
    const result = await r.run({ command: 'echo "helper $PPID"; i=1; while [ $i -le 500 ]; do echo "line $i"; i=$((i+1)); done; echo oops >&2; exit 3', cwd: tmpdir(), env: { PATH: process.env.PATH! }, onLine: (stream, line) => lines.push(`${stream}:${line}`) })
    expect(result.exitCode).toBe(3)
    const parent = Number(/^stdout:helper (\d+)$/.exec(lines[0]!)?.[1])
    // Started by the helper, not by this (test) process.
    expect(parent).not.toBe(process.pid)
    expect(lines.slice(1, 501)).toEqual(Array.from({ length: 500 }, (_, i) => `stdout:line ${i + 1}`))
    expect(lines).toContain('stderr:oops')
  })

  it('cancels a command and its whole tree when the signal aborts', async () => {
    const r = await warmSpawner()
    const dir = mkdtempSync(join(tmpdir(), 'pw-spawner-'))
    const controller = new AbortController()
    const running = r.run({ command: `echo "helper $PPID" > ${dir}/parent; sleep 30 & echo $! > ${dir}/pid; wait`, cwd: dir, env: { PATH: process.env.PATH! }, signal: controller.signal })
    await until(() => { try { return Number(readFileSync(`${dir}/pid`, 'utf8')) > 0 } catch { return false } })
    const pid = Number(readFileSync(`${dir}/pid`, 'utf8'))
    expect(readFileSync(`${dir}/parent`, 'utf8')).not.toBe(`helper ${process.pid}\n`)
    controller.abort()
    const result = await running
    expect(result.cancelled).toBe(true)
    await until(() => !isRunning(pid))
  })

  it('stops what it runs when the engine\'s process dies (kill -9)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-spawner-'))
    writeFileSync(join(dir, 'engine.mts'), `
import { createSpawner } from ${JSON.stringify(fileURLToPath(new URL('./spawner.ts', import.meta.url)))}
const r = createSpawner({ script: ${JSON.stringify(CHILD)}, execArgv: ${JSON.stringify(JITI)} })
// Until the helper is up, commands are spawned from this process: wait until one is not.
for (let i = 0; i < 600; i++) {
  const lines = []
  await r.run({ command: 'echo $PPID', cwd: ${JSON.stringify(dir)}, env: { PATH: process.env.PATH }, onLine: (_s, line) => lines.push(line) })
  if (lines[0] !== String(process.pid)) break
  await new Promise((res) => setTimeout(res, 50))
}
void r.run({ command: 'echo $PPID > parent; sleep 30 & echo $! > pid; wait', cwd: ${JSON.stringify(dir)}, env: { PATH: process.env.PATH } })
setInterval(() => {}, 1000)
`)
    const engine = spawn(process.execPath, [...JITI, join(dir, 'engine.mts')], { cwd: fileURLToPath(new URL('.', import.meta.url)), stdio: 'ignore' })
    await until(() => { try { return Number(readFileSync(`${dir}/pid`, 'utf8')) > 0 } catch { return false } }, 20_000)
    const pid = Number(readFileSync(`${dir}/pid`, 'utf8'))
    expect(isRunning(pid)).toBe(true)
    // Started by the helper, which outlives the engine only to stop what it started.
    expect(Number(readFileSync(`${dir}/parent`, 'utf8'))).not.toBe(engine.pid)
    engine.kill('SIGKILL')
    await until(() => !isRunning(pid))
  })
})
