import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { spawnProcess } from './process.js'

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
})
