import { describe, expect, it } from 'vitest'
import { createRecordBook } from './record-book.js'
import { createStageContext, gateContextFor } from './stage-context.js'

const git = (branch: string) => ({ sha: 'a'.repeat(40), shortSha: 'aaaaaaa', branch, message: 'm', author: 'a', root: '/' })

describe('createRecordBook', () => {
  it('shows a run to later runs once finished, successful ones to previous(), all to history()', async () => {
    const book = createRecordBook()
    const first = createStageContext({ records: book, stageId: 'unit', git: git('main') })
    await first.records.save('x.count', { n: 1 })
    const second = createStageContext({ records: book, stageId: 'unit', git: git('main') })
    // Still running: not a baseline yet, and a run never sees itself as "earlier".
    expect(await second.records.previous('x.count')).toBeUndefined()
    expect(await first.records.history('x.count')).toEqual([])
    book.finishRun(first.runId, 'succeeded')
    expect(await second.records.previous('x.count')).toMatchObject({ runId: 'run-1', data: { n: 1 }, runStatus: 'succeeded', branch: 'main' })

    await second.records.save('x.count', { n: 2 })
    book.finishRun(second.runId, 'failed')
    const third = createStageContext({ records: book, stageId: 'unit', git: git('feature') })
    expect((await third.records.previous('x.count'))?.runId).toBe('run-1')
    expect((await third.records.history('x.count')).map((r) => [r.runId, r.runStatus])).toEqual([['run-2', 'failed'], ['run-1', 'succeeded']])
    expect(await third.records.history('x.count', { branch: 'feature' })).toEqual([])
    expect(await third.records.history('x.count', { stageId: 'other' })).toEqual([])
    expect(book.records.map((r) => r.runId)).toEqual(['run-1', 'run-2'])
  })

  it('lets stages of one run read each other\'s records, and seeds history newest first', async () => {
    const book = createRecordBook({ history: [
      { runId: 'old-2', stageId: 'build', kind: 'k', data: 2, createdAt: 2, runStatus: 'succeeded' },
      { runId: 'old-1', stageId: 'build', kind: 'k', data: 1, createdAt: 1, runStatus: 'succeeded' },
    ] })
    const build = createStageContext({ records: book, runId: 'r', stageId: 'build' })
    await build.records.save('k', { tag: 'v1' })
    await build.records.save('k', { tag: 'v2' })
    const deploy = createStageContext({ records: book, runId: 'r', stageId: 'deploy' })
    expect(await deploy.records.get('k', { stageId: 'build' })).toEqual({ tag: 'v2' })
    expect(await deploy.records.get('k')).toBeUndefined()
    expect((await build.records.previous('k'))?.data).toBe(2)
    expect(build.captured.records).toHaveLength(1)
  })

  it('gives a gate the context of the stage that ran', async () => {
    const ctx = createStageContext({ stageId: 'lint' })
    ctx.outputs.set('errors', 3)
    await ctx.records.save('lint.problems', [1, 2, 3])
    const gate = gateContextFor(ctx, 'failed')
    expect(gate.stage).toEqual({ id: 'lint', status: 'failed', outputs: { errors: '3' } })
    expect(await gate.records.get('lint.problems')).toEqual([1, 2, 3])
    expect(gate.captured).toBe(ctx.captured)
  })
})
