import { afterEach, describe, expect, it } from 'vitest'
import { PipewrightError } from '@pipewright/plugin-api'
import { createMemoryStore, type Store } from '@pipewright/store-api'
import { createEngine } from '../../src/engine/engine.js'
import { isRunning, tempProject, type TempProject } from '../engine/helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

describe('the recorder', () => {
  it('keeps at most the log limit of each stage, with a visible marker and a count of what it left out', async () => {
    project = await tempProject(`
name: chatty
stages:
  loud: { run: 'i=0; while [ $i -lt 500 ]; do echo "line $i of a stage that prints far too much"; i=$((i+1)); done' }
  quiet: { run: echo small }
`)
    const engine = createEngine({ store: createMemoryStore(), logLimitBytes: 2000 })
    const live: string[] = []
    engine.on('stage:log', (p) => p.stageId === 'loud' && live.push(p.line))
    const result = await (await engine.run(project.file)).result
    const kept = (await engine.runs.logs(result.id, { stageId: 'loud' })).map((l) => l.line)
    expect(live).toHaveLength(500)
    expect(kept.length).toBeLessThan(60)
    expect(kept.at(-2)).toMatch(/^\[pipewright\] log truncated: stage loud printed more than 2.0 KiB; later lines are not stored/)
    expect(kept.at(-1)).toMatch(/^\[pipewright\] \d+ lines \(\d+\.\d KiB\) of stage loud were not stored$/)
    const dropped = Number(/\] (\d+) lines/.exec(kept.at(-1)!)![1])
    expect(kept.length - 2 + dropped).toBe(500)
    expect((await engine.runs.logs(result.id, { stageId: 'quiet' })).map((l) => l.line)).toEqual(['small'])
  })

  it('a store that fails mid-run stops the stages and fails the run with PW_ERR_STORE, not a crash', async () => {
    project = await tempProject(`
name: doomed
stages:
  first: { run: 'echo one' }
  long: { needs: [first], run: 'echo $$ > pid; for i in 1 2 3 4 5 6 7 8 9; do echo tick $i; sleep 0.2; done' }
`)
    const inner = createMemoryStore()
    let logWrites = 0
    const failing = new Proxy(inner, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown
        if (name !== 'appendLogs') return typeof value === 'function' ? value.bind(target) : value
        return async (...args: Parameters<Store['appendLogs']>) => {
          // The disk fills up once the second stage is under way.
          if (++logWrites > 2) throw new PipewrightError('PW_ERR_STORE', 'Store /srv/pipewright.db: appendLogs failed: database or disk is full (SQLITE_FULL)')
          return target.appendLogs(...args)
        }
      },
    }) as Store
    const engine = createEngine({ store: failing })
    const handle = await engine.run(project.file)
    const error = await handle.result.then(() => undefined, (e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_STORE', message: expect.stringContaining('SQLITE_FULL') })
    const { readFile } = await import('node:fs/promises')
    const pid = Number(await readFile(`${project.dir}/pid`, 'utf8'))
    expect(isRunning(pid)).toBe(false)
    // What reached the store still says `running`, owned by this live process: it did not finish.
    expect((await inner.getRun(handle.id))?.status).not.toBe('succeeded')
  })
})
