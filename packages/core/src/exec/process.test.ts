import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { isProcessAlive } from '../record/interrupted.js'
import { spawnProcess } from './process.js'
import { STAGE_TOKEN_ENV } from './process-tree.js'

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' }

describe('spawnProcess', () => {
  it('streams whole lines from both streams (CRLF, chunks and a last line without newline)', async () => {
    const lines: string[] = []
    const r = await spawnProcess({
      command: "printf 'a\\r\\nb'; sleep 0.05; printf 'c\\nd'; echo err >&2",
      cwd: tmpdir(),
      env,
      capture: true,
      onLine: (stream, line) => lines.push(`${stream}:${line}`),
    })
    expect(r.exitCode).toBe(0)
    expect(lines.filter((l) => l.startsWith('stdout:'))).toEqual(['stdout:a', 'stdout:bc', 'stdout:d'])
    expect(lines).toContain('stderr:err')
    expect(r.stdout).toBe('a\r\nbc\nd')
  })

  it('runs an argv list without a shell, passes input, and reports exit codes', async () => {
    const r = await spawnProcess({ command: ['sh', '-c', 'cat; exit 3', 'ignored'], cwd: tmpdir(), env, input: 'hello', capture: true })
    expect(r).toMatchObject({ exitCode: 3, stdout: 'hello', timedOut: false, cancelled: false })
  })

  it('says when a command does not exist', async () => {
    const r = await spawnProcess({ command: ['no-such-program-pw'], cwd: tmpdir(), env })
    expect(r.spawnError).toBe('command not found: no-such-program-pw')
    expect(r.exitCode).toBe(127)
  })

  it('times out and cancels', async () => {
    expect(await spawnProcess({ command: 'sleep 5', cwd: tmpdir(), env, timeoutMs: 100 })).toMatchObject({ timedOut: true })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    expect(await spawnProcess({ command: 'sleep 5', cwd: tmpdir(), env, signal: controller.signal })).toMatchObject({ cancelled: true })
  })

  it('ends when its main process ends, killing what it left in the background, even outside its group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-proc-'))
    try {
      // Without the fix this never resolves: both sleeps hold the output pipe for 100 s.
      const r = await spawnProcess({ command: 'sleep 100 & echo $! > bg.pid; setsid sleep 101 & echo $! > escapee.pid; echo started', cwd: dir, env, capture: true })
      expect(r).toMatchObject({ exitCode: 0, stdout: 'started\n', timedOut: false })
      for (const file of ['bg.pid', 'escapee.pid']) await expectDead(Number(await readFile(join(dir, file), 'utf8')))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('a timeout ends the whole tree, setsid escapees included, within the grace period', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-proc-'))
    try {
      const r = await spawnProcess({ command: 'setsid sh -c "trap \'\' TERM; sleep 101" & echo $! > escapee.pid; sleep 100', cwd: dir, env, timeoutMs: 300 })
      expect(r).toMatchObject({ timedOut: true, exitCode: 143 })
      await expectDead(Number(await readFile(join(dir, 'escapee.pid'), 'utf8')), 5000)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('marks every process with a stage token that names the run', async () => {
    const r = await spawnProcess({ command: `tr '\\0' '\\n' < /proc/$$/environ | grep ^${STAGE_TOKEN_ENV}=`, cwd: tmpdir(), env: { ...env, PIPEWRIGHT_RUN_ID: 'run-1' }, capture: true })
    expect(r.stdout).toMatch(new RegExp(`^${STAGE_TOKEN_ENV}=run-1/[0-9a-f]{16,}\\n$`))
  })
})

/** Waits until a process is gone (it may take a moment to be reaped); fails after `ms`. */
async function expectDead(pid: number, ms = 2000): Promise<void> {
  for (let waited = 0; waited < ms && isProcessAlive(pid); waited += 50) await sleep(50)
  expect(isProcessAlive(pid), `pid ${pid} still runs: ${commandLine(pid)}`).toBe(false)
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return '(gone)'
  }
}
