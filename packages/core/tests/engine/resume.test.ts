import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PipewrightError } from '@pipewright/plugin-api'
import { createEngine } from '../../src/engine/engine.js'
import { markInterruptedRuns } from '../../src/record/interrupted.js'
import { createMemoryStore } from '@pipewright/store-api'
import { tempProject, type TempProject } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const PIPELINE = `
name: resumable
stages:
  one: { run: 'echo one >> counter.txt; echo "v=1" >> "$PIPEWRIGHT_OUTPUT"' }
  two: { needs: [one], run: 'echo two >> counter.txt; test -f ok' }
  three: { needs: [two], run: 'echo "three \${{ stages.one.outputs.v }}" >> counter.txt' }
`

describe('resume', () => {
  it('finishes a failed run without re-running stages that succeeded', async () => {
    project = await tempProject(PIPELINE)
    const engine = createEngine({ store: createMemoryStore() })
    const first = await (await engine.run(project.file)).result
    expect(first.status).toBe('failed')
    await writeFile(join(project.dir, 'ok'), '')
    const resumed = await (await engine.resume(first.id)).result
    expect(resumed.id).toBe(first.id)
    expect(resumed.status).toBe('succeeded')
    expect((await readFile(join(project.dir, 'counter.txt'), 'utf8')).trim().split('\n')).toEqual(['one', 'two', 'two', 'three 1'])
    const stored = await engine.store.getRun(first.id)
    expect(stored).toMatchObject({ status: 'succeeded', resumes: 1 })
    await expect(engine.resume(first.id)).rejects.toMatchObject({ code: 'PW_ERR_RUN_NOT_RESUMABLE' })
  })

  it('marks runs whose process died as interrupted, and resumes them', async () => {
    project = await tempProject(PIPELINE)
    await writeFile(join(project.dir, 'ok'), '')
    const store = createMemoryStore()
    const engine = createEngine({ store })
    const done = await (await engine.run(project.file)).result
    // Simulate a run owned by a process that no longer exists, stopped after stage one.
    const run = (await store.getRun(done.id))!
    const stages = await store.getStages(done.id)
    await store.createRun({ ...run, id: 'dead-run', status: 'running', pid: 2 ** 22 + 12345 })
    await store.putStage({ ...stages.find((s) => s.stageId === 'one')!, runId: 'dead-run' })
    await store.putStage({ ...stages.find((s) => s.stageId === 'two')!, runId: 'dead-run', status: 'running' })
    expect(await markInterruptedRuns(store)).toEqual(['dead-run'])
    expect((await store.getRun('dead-run'))?.status).toBe('interrupted')
    await writeFile(join(project.dir, 'counter.txt'), '')
    const resumed = await (await engine.resume('dead-run')).result
    expect(resumed.status).toBe('succeeded')
    expect((await readFile(join(project.dir, 'counter.txt'), 'utf8')).trim().split('\n')).toEqual(['two', 'three 1'])
  })

  it('does not re-run an interrupted non-idempotent stage without confirmation', async () => {
    project = await tempProject(PIPELINE.replace("two: { needs: [one],", "two: { idempotent: false, needs: [one],"))
    await writeFile(join(project.dir, 'ok'), '')
    const store = createMemoryStore()
    const engine = createEngine({ store })
    const done = await (await engine.run(project.file)).result
    const run = (await store.getRun(done.id))!
    const stages = await store.getStages(done.id)
    await store.createRun({ ...run, id: 'dead-2', status: 'interrupted' })
    await store.putStage({ ...stages.find((s) => s.stageId === 'one')!, runId: 'dead-2' })
    await store.putStage({ ...stages.find((s) => s.stageId === 'two')!, runId: 'dead-2', status: 'running' })
    const refused = await (await engine.resume('dead-2')).result
    expect(refused.stages.find((s) => s.id === 'two')?.error?.code).toBe('PW_ERR_RUN_NOT_RESUMABLE')
    const confirmed = await (await engine.resume('dead-2', { rerunNonIdempotent: true })).result
    expect(confirmed.status).toBe('succeeded')
  })

  it('names an unknown run', async () => {
    const error = await createEngine().resume('nope').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PipewrightError)
    expect((error as PipewrightError).code).toBe('PW_ERR_RUN_NOT_FOUND')
  })
})
