import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngine } from '../../src/engine/engine.js'
import { isRunning, runFile, tempProject, type TempProject } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

async function pidIn(file: string): Promise<number> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(25)
  return Number(await readFile(file, 'utf8'))
}

/** Waits up to `ms` for a process to be gone. */
async function gone(pid: number, ms = 2000): Promise<boolean> {
  for (let waited = 0; waited < ms && isRunning(pid); waited += 50) await sleep(50)
  return !isRunning(pid)
}

describe('stage processes', () => {
  it('a stage ends when its main process ends, whatever it left running in the background', async () => {
    project = await tempProject(`
name: background
stages:
  serve: { run: 'sleep 100 & echo $! > bg.pid; setsid sleep 101 & echo $! > escapee.pid; echo started' }
  after: { needs: serve, run: 'echo next' }
`)
    const { result, logs } = await runFile(project.file)
    expect(result.status).toBe('succeeded')
    expect(logs('serve')).toEqual(['started'])
    expect(await gone(await pidIn(join(project.dir, 'bg.pid')))).toBe(true)
    expect(await gone(await pidIn(join(project.dir, 'escapee.pid')))).toBe(true)
  })

  it('a timeout ends the stage and its whole tree, and says how long the limit was', async () => {
    project = await tempProject(`
name: timeout
stages:
  slow:
    timeout: 1s
    run: 'setsid sleep 101 & echo $! > escapee.pid; sleep 100'
`)
    const { result, stage } = await runFile(project.file)
    expect(result.status).toBe('failed')
    expect(stage('slow').error).toMatchObject({ code: 'PW_ERR_TIMEOUT', message: 'Stage slow timed out after 1s' })
    expect(await gone(await pidIn(join(project.dir, 'escapee.pid')))).toBe(true)
  })

  it('cancel ends the stage and its whole tree', async () => {
    project = await tempProject(`
name: cancel
stages:
  slow: { run: 'setsid sleep 101 & echo $! > escapee.pid; sleep 100' }
`)
    const handle = await createEngine().run(project.file)
    const escapee = await pidIn(join(project.dir, 'escapee.pid'))
    handle.cancel()
    const result = await handle.result
    expect(result.stages[0]).toMatchObject({ status: 'cancelled' })
    expect(await gone(escapee)).toBe(true)
  })
})

describe('stage output', () => {
  const SECRET = 'S3cr3tT0k3nValue1234'

  it('passes a long line on in pieces that never cut a secret, and decodes characters split between reads', async () => {
    project = await tempProject(`
name: long-lines
secrets: [TOKEN]
stages:
  print:
    run: |
      head -c 65530 /dev/zero | tr '\\0' x; printf '%s' "\${{ secrets.TOKEN }}"; head -c 200000 /dev/zero | tr '\\0' y; echo
      head -c 65535 /dev/zero | tr '\\0' a; printf '€\\n'
      printf '10%%\\r50%%\\r100%%\\n'
`)
    const { result, logs } = await runFile(project.file, { secrets: { TOKEN: SECRET } })
    expect(result.status).toBe('succeeded')
    const lines = logs('print')
    expect(lines.every((l) => l.length <= 64 * 1024 + 2)).toBe(true)
    expect(lines.some((l) => l.includes(SECRET.slice(0, 6)) || l.includes(SECRET.slice(-6)))).toBe(false)
    const pieces = lines.slice(0, -2)
    expect(pieces.map((l) => l.replace(/^…|…$/g, '')).join('')).toBe(`${'x'.repeat(65530)}***${'y'.repeat(200000)}`)
    expect(lines.at(-2)).toBe(`${'a'.repeat(65535)}€`)
    expect(lines.at(-1)).toBe('100%')
  })
})
