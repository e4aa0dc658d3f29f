import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeOperationsConformance } from './conformance-operations.js'
import { sampleDeployment, sampleRun, sampleStage } from './conformance-samples.js'
import { describeServerConformance } from './conformance-server.js'
import type { LogLine, Store, StoredEvent } from './types.js'

export { sampleDeployment, sampleRun, sampleStage }

/** A store under test and how to remove what it left behind. */
export interface StoreUnderTest {
  store: Store
  cleanup(): Promise<void>
}

function log(seq: number, stageId = 'build', runId = 'run-1'): LogLine {
  return { runId, stageId, seq, stream: seq % 2 ? 'stderr' : 'stdout', line: `line ${seq} of ${stageId}`, at: 2_000 + seq }
}

function event(seq: number, runId = 'run-1'): StoredEvent {
  return { runId, seq, type: 'stage:log', payload: { n: seq, nested: { list: [1, 'two', null] } }, at: 3_000 + seq }
}

/**
 * The behaviour every `Store` implementation shares. Both the memory store and the SQLite store
 * run it, so the engine can rely on one behaviour whatever store it is given.
 */
export function describeStoreConformance(name: string, create: () => Promise<StoreUnderTest>): void {
  describe(`Store conformance: ${name}`, () => {
    let subject: StoreUnderTest
    let store: Store
    beforeEach(async () => {
      subject = await create()
      store = subject.store
    })
    afterEach(async () => {
      await store.close()
      await subject.cleanup()
    })

    describe('runs', () => {
      it('returns a created run with every field, and undefined for an unknown id', async () => {
        const run = sampleRun({ file: '/srv/web/pipewright.yml', startedAt: 1_001, branch: 'main', sha: 'abc123', trigger: 'cli', triggeredBy: 'alice', resumes: 0, waiting: 'deploy: approval 0 of 2' })
        await store.createRun(run)
        expect(await store.getRun('run-1')).toEqual(run)
        expect(await store.getRun('nope')).toBeUndefined()
      })

      it('refuses a second run with the same id and keeps the first', async () => {
        await store.createRun(sampleRun())
        await expect(store.createRun(sampleRun({ pipeline: 'other' }))).rejects.toMatchObject({ code: 'PW_ERR_STORE' })
        expect((await store.getRun('run-1'))?.pipeline).toBe('web')
      })

      it('merges patches; undefined clears an optional field and leaves required ones', async () => {
        await store.createRun(sampleRun({ finishedAt: 5, branch: 'main' }))
        await store.updateRun('run-1', { status: 'succeeded', heartbeatAt: 9, resumes: 2 })
        await store.updateRun('run-1', { finishedAt: undefined, status: undefined })
        expect(await store.getRun('run-1')).toEqual(sampleRun({ status: 'succeeded', heartbeatAt: 9, resumes: 2, branch: 'main' }))
      })

      it('rejects a patch to an unknown run with PW_ERR_RUN_NOT_FOUND', async () => {
        await expect(store.updateRun('ghost', { status: 'failed' })).rejects.toMatchObject({ code: 'PW_ERR_RUN_NOT_FOUND' })
      })

      it('lists runs newest first (then by id, descending) and filters them', async () => {
        await store.createRun(sampleRun({ id: 'a', createdAt: 10 }))
        await store.createRun(sampleRun({ id: 'b', createdAt: 30, pipeline: 'api' }))
        await store.createRun(sampleRun({ id: 'c', createdAt: 20, status: 'failed' }))
        await store.createRun(sampleRun({ id: 'd', createdAt: 20 }))
        const ids = async (filter?: Parameters<Store['listRuns']>[0]) => (await store.listRuns(filter)).map((run) => run.id)
        expect(await ids()).toEqual(['b', 'd', 'c', 'a'])
        expect(await ids({ pipeline: 'web' })).toEqual(['d', 'c', 'a'])
        expect(await ids({ status: 'failed' })).toEqual(['c'])
        expect(await ids({ pipeline: 'web', limit: 2 })).toEqual(['d', 'c'])
        expect(await ids({ pipeline: 'nope' })).toEqual([])
        expect(await ids({ status: ['failed', 'running'], pipeline: 'web' })).toEqual(['d', 'c', 'a'])
        expect(await ids({ status: [] })).toEqual([])
      })

      it('filters by branch and pages with a cursor, without skipping runs created in the same millisecond', async () => {
        for (const [id, createdAt, branch] of [['r1', 10, 'main'], ['r2', 20, 'dev'], ['r3', 20, 'main'], ['r4', 20, 'main'], ['r5', 30, 'main']] as const) {
          await store.createRun(sampleRun({ id, createdAt, branch }))
        }
        const ids = async (filter?: Parameters<Store['listRuns']>[0]) => (await store.listRuns(filter)).map((run) => run.id)
        expect(await ids({ branch: 'main' })).toEqual(['r5', 'r4', 'r3', 'r1'])
        const first = await store.listRuns({ limit: 2 })
        expect(first.map((r) => r.id)).toEqual(['r5', 'r4'])
        const last = first.at(-1)!
        expect(await ids({ before: { createdAt: last.createdAt, id: last.id }, limit: 2 })).toEqual(['r3', 'r2'])
        expect(await ids({ before: { createdAt: 20, id: 'r2' } })).toEqual(['r1'])
        expect(await ids({ before: { createdAt: 20, id: 'r3' }, branch: 'main' })).toEqual(['r1'])
      })

      it('prunes finished runs older than a time with their stages, logs, events, artifacts and records; keeps live ones and the cache', async () => {
        await store.createRun(sampleRun({ id: 'old', status: 'succeeded', finishedAt: 100 }))
        await store.createRun(sampleRun({ id: 'old-api', pipeline: 'api', status: 'failed', finishedAt: 100 }))
        await store.createRun(sampleRun({ id: 'new', status: 'failed', finishedAt: 900 }))
        await store.createRun(sampleRun({ id: 'live', status: 'running' }))
        await store.createRun(sampleRun({ id: 'stuck', status: 'interrupted', finishedAt: 50 }))
        await store.putStage(sampleStage({ runId: 'old' }))
        await store.appendLogs([log(0, 'build', 'old')])
        await store.appendEvents([event(0, 'old')])
        await store.addArtifact({ runId: 'old', stageId: 'build', path: 'a', digest: 'sha256:01', size: 1, createdAt: 1 })
        await store.saveRecord('web', { runId: 'old', stageId: 'build', kind: 'k', data: 1, createdAt: 1 })
        await store.putCache({ key: 'sha256:k', runId: 'old', stageId: 'build', outputs: {}, artifacts: [], createdAt: 1 })
        expect(await store.pruneRuns({ finishedBefore: 500, pipeline: 'web' })).toEqual({ runs: 1 })
        expect((await store.listRuns()).map((r) => r.id).sort()).toEqual(['live', 'new', 'old-api', 'stuck'])
        expect(await store.getStages('old')).toEqual([])
        expect(await store.getLogs('old')).toEqual([])
        expect(await store.getEvents('old')).toEqual([])
        expect(await store.listArtifacts('old')).toEqual([])
        expect(await store.findRecords({ pipeline: 'web', kind: 'k' })).toEqual([])
        expect(await store.getCache('sha256:k')).toBeDefined()
        expect(await store.pruneRuns({ finishedBefore: 500 })).toEqual({ runs: 1 })
        expect((await store.listRuns()).map((r) => r.id).sort()).toEqual(['live', 'new', 'stuck'])
      })

      it('keeps the plan and options as given (JSON), also when many runs share one plan', async () => {
        const run = sampleRun()
        await store.createRun(run)
        const read = await store.getRun('run-1')
        expect(read?.plan).toEqual(run.plan)
        expect(read?.options).toEqual({ only: ['build'], secretNames: ['TOKEN'] })
        await store.createRun(sampleRun({ id: 'run-2' }))
        await store.createRun(sampleRun({ id: 'run-3', plan: { ...run.plan, pipeline: 'other' } }))
        expect((await store.getRun('run-2'))?.plan).toEqual(run.plan)
        expect((await store.getRun('run-3'))?.plan.pipeline).toBe('other')
      })
    })

    describe('stages', () => {
      it('upserts stage states and lists them in the order they first appeared', async () => {
        await store.putStage(sampleStage({ stageId: 'lint' }))
        await store.putStage(sampleStage({ stageId: 'build' }))
        const finished = sampleStage({
          stageId: 'lint', status: 'failed', attempts: 3, exitCode: 2, startedAt: 10, finishedAt: 30, durationMs: 20,
          outputs: { version: '1.2.3' }, error: { code: 'PW_ERR_STAGE_FAILED', message: 'exit 2', details: 'see log' },
          cacheKey: 'k1', summary: '**3 problems**', gates: [{ gate: 'coverage', verdict: 'fail', reason: 'below 80%', evidence: { pct: 71.5 } }],
        })
        const waiting = sampleStage({ stageId: 'deploy', status: 'waiting', waiting: { reason: 'approval: 0 of 2', kind: 'approval', since: 5, deadline: 86_400_005, phase: 'prepare', hook: 'plugin:deploy' } })
        await store.putStage(waiting)
        await store.putStage(finished)
        await store.putStage(sampleStage({ runId: 'run-2', stageId: 'other' }))
        expect(await store.getStages('run-1')).toEqual([finished, sampleStage({ stageId: 'build' }), waiting])
        await store.putStage({ ...waiting, status: 'running', waiting: undefined })
        expect((await store.getStages('run-1'))[2]).toEqual(sampleStage({ stageId: 'deploy', status: 'running' }))
        expect(await store.getStages('run-3')).toEqual([])
      })
    })

    describe('events', () => {
      it('returns a run\'s events by seq, after a given seq', async () => {
        await store.appendEvents([event(2), event(0), event(1, 'run-2')])
        await store.appendEvents([event(1), event(3)])
        expect((await store.getEvents('run-1')).map((e) => e.seq)).toEqual([0, 1, 2, 3])
        expect(await store.getEvents('run-1', 1)).toEqual([event(2), event(3)])
        expect(await store.getEvents('run-2')).toEqual([event(1, 'run-2')])
      })

      it('replaces an event written again with the same seq', async () => {
        await store.appendEvents([event(0)])
        await store.appendEvents([{ ...event(0), type: 'run:finished' }])
        expect((await store.getEvents('run-1')).map((e) => e.type)).toEqual(['run:finished'])
      })
    })

    describe('logs', () => {
      it('pages by seq, stage, afterSeq and limit', async () => {
        await store.appendLogs([log(0), log(1, 'test'), log(3), log(2, 'test'), log(4), log(0, 'build', 'run-2')])
        const seqs = async (query?: Parameters<Store['getLogs']>[1]) => (await store.getLogs('run-1', query)).map((l) => l.seq)
        expect(await seqs()).toEqual([0, 1, 2, 3, 4])
        expect(await seqs({ stageId: 'build' })).toEqual([0, 3, 4])
        expect(await seqs({ afterSeq: 1 })).toEqual([2, 3, 4])
        expect(await seqs({ afterSeq: 0, limit: 2 })).toEqual([1, 2])
        expect(await seqs({ stageId: 'test', afterSeq: 1, limit: 5 })).toEqual([2])
        expect(await seqs({ limit: 0 })).toEqual([])
        expect((await store.getLogs('run-1', { afterSeq: 3 }))[0]).toEqual(log(4))
        expect(await store.getLogs('none')).toEqual([])
      })
    })

    describe('cache', () => {
      it('stores, replaces and misses entries by key', async () => {
        const entry = {
          key: 'sha256:k', runId: 'run-1', stageId: 'build', outputs: { a: '1' }, artifacts: [{ path: 'dist/a.js', digest: 'sha256:aa', size: 3 }], createdAt: 7,
          summary: '12 tests passed', gates: [{ gate: 'coverage', verdict: 'pass' as const, reason: '91% ≥ 80%', evidence: { lines: 91 } }],
        }
        await store.putCache(entry)
        expect(await store.getCache('sha256:k')).toEqual(entry)
        await store.putCache({ ...entry, runId: 'run-2', artifacts: [] })
        expect(await store.getCache('sha256:k')).toEqual({ ...entry, runId: 'run-2', artifacts: [] })
        expect(await store.getCache('sha256:other')).toBeUndefined()
      })
    })

    describe('artifacts', () => {
      it('lists a run\'s artifacts in order; the same stage and path replaces', async () => {
        const a = { runId: 'run-1', stageId: 'build', path: 'dist/a.js', digest: 'sha256:01', size: 10, createdAt: 1 }
        const b = { runId: 'run-1', stageId: 'build', path: 'dist/b.js', digest: 'sha256:02', size: 20, createdAt: 2 }
        await store.addArtifact(a)
        await store.addArtifact(b)
        await store.addArtifact({ ...a, runId: 'run-2' })
        await store.addArtifact({ ...a, digest: 'sha256:03', size: 11 })
        expect(await store.listArtifacts('run-1')).toEqual([{ ...a, digest: 'sha256:03', size: 11 }, b])
        expect(await store.listArtifacts('run-9')).toEqual([])
      })
    })

    describe('records', () => {
      beforeEach(async () => {
        await store.createRun(sampleRun({ id: 'r1', createdAt: 1, status: 'succeeded', branch: 'main', sha: 'aaa' }))
        await store.createRun(sampleRun({ id: 'r2', createdAt: 2, status: 'failed', branch: 'feature' }))
        await store.createRun(sampleRun({ id: 'r3', createdAt: 3, status: 'running', branch: 'main', sha: 'ccc' }))
        await store.saveRecord('web', { runId: 'r1', stageId: 'test', kind: 'tests.results', data: { passed: 10 }, createdAt: 100 })
        await store.saveRecord('web', { runId: 'r2', stageId: 'test', kind: 'tests.results', data: { passed: 8 }, createdAt: 200 })
        await store.saveRecord('web', { runId: 'r3', stageId: 'test', kind: 'tests.results', data: { passed: 12 }, createdAt: 300 })
        await store.saveRecord('web', { runId: 'r3', stageId: 'test-e2e', kind: 'tests.results', data: { passed: 1 }, createdAt: 300 })
        await store.saveRecord('web', { runId: 'r3', stageId: 'test', kind: 'lint.problems', data: [], createdAt: 300 })
        await store.createRun(sampleRun({ id: 'r4', createdAt: 4, pipeline: 'api', status: 'succeeded' }))
        await store.saveRecord('api', { runId: 'r4', stageId: 'test', kind: 'tests.results', data: { passed: 99 }, createdAt: 400 })
      })

      it('joins records with their run and returns the newest first', async () => {
        const found = await store.findRecords({ pipeline: 'web', kind: 'tests.results' })
        expect(found.map((r) => [r.runId, r.stageId])).toEqual([['r3', 'test-e2e'], ['r3', 'test'], ['r2', 'test'], ['r1', 'test']])
        expect(found[1]).toEqual({ runId: 'r3', stageId: 'test', kind: 'tests.results', data: { passed: 12 }, createdAt: 300, runStatus: 'running', branch: 'main', sha: 'ccc' })
        expect(found[2]).toEqual({ runId: 'r2', stageId: 'test', kind: 'tests.results', data: { passed: 8 }, createdAt: 200, runStatus: 'failed', branch: 'feature' })
      })

      it('filters by run, excluded run, stage, branch, run status and limit', async () => {
        const runs = async (filter: Partial<Parameters<Store['findRecords']>[0]>) =>
          (await store.findRecords({ pipeline: 'web', kind: 'tests.results', ...filter })).map((r) => `${r.runId}/${r.stageId}`)
        expect(await runs({ runId: 'r3' })).toEqual(['r3/test-e2e', 'r3/test'])
        expect(await runs({ excludeRunId: 'r3', stageId: 'test' })).toEqual(['r2/test', 'r1/test'])
        expect(await runs({ stageId: 'test', branch: 'main' })).toEqual(['r3/test', 'r1/test'])
        expect(await runs({ runStatus: 'succeeded' })).toEqual(['r1/test'])
        expect(await runs({ stageId: 'test', limit: 1 })).toEqual(['r3/test'])
        expect(await runs({ kind: 'lint.problems' })).toEqual(['r3/test'])
        expect(await runs({ pipeline: 'api' })).toEqual(['r4/test'])
        expect(await runs({ kind: 'nothing' })).toEqual([])
      })

      it('copies the records a stage saved in one run to a stage of another run', async () => {
        await store.createRun(sampleRun({ id: 'r5', createdAt: 5, status: 'succeeded' }))
        expect(await store.copyStageRecords('web', { runId: 'r3', stageId: 'test' }, { runId: 'r5', stageId: 'test' }, 500)).toBe(2)
        const copied = await store.findRecords({ pipeline: 'web', kind: 'tests.results', runId: 'r5' })
        expect(copied).toEqual([expect.objectContaining({ runId: 'r5', stageId: 'test', data: { passed: 12 }, createdAt: 500, runStatus: 'succeeded' })])
        expect((await store.findRecords({ pipeline: 'web', kind: 'lint.problems', runId: 'r5' })).map((r) => r.data)).toEqual([[]])
        expect(await store.copyStageRecords('api', { runId: 'r3', stageId: 'test' }, { runId: 'r5', stageId: 'test' }, 501)).toBe(0)
      })

      it('reflects the run\'s current status and replaces a record saved again', async () => {
        await store.updateRun('r3', { status: 'succeeded' })
        await store.saveRecord('web', { runId: 'r3', stageId: 'test', kind: 'tests.results', data: { passed: 13 }, createdAt: 301 })
        const found = await store.findRecords({ pipeline: 'web', kind: 'tests.results', stageId: 'test', runStatus: 'succeeded' })
        expect(found.map((r) => [r.runId, r.data])).toEqual([['r3', { passed: 13 }], ['r1', { passed: 10 }]])
      })
    })

    describe('state', () => {
      it('keeps small named JSON values; undefined removes one', async () => {
        expect(await store.getState('git.poll')).toBeUndefined()
        await store.setState('git.poll', { sha: 'abc', at: 1 })
        await store.setState('count', 3)
        await store.setState('git.poll', { sha: 'def', at: 2 })
        expect(await store.getState('git.poll')).toEqual({ sha: 'def', at: 2 })
        expect(await store.getState<number>('count')).toBe(3)
        await store.setState('count', undefined)
        expect(await store.getState('count')).toBeUndefined()
      })
    })

    describeOperationsConformance(() => store)

    describe('isolation and lifecycle', () => {
      it('is not changed by mutating what was written or read', async () => {
        const run = sampleRun()
        await store.createRun(run)
        run.options.only!.push('mutated')
        const read = await store.getRun('run-1')
        read!.plan.stages.length = 0
        const stage = sampleStage({ outputs: { a: '1' } })
        await store.putStage(stage)
        stage.outputs.a = 'changed'
        const state = { list: [1] }
        await store.setState('s', state)
        state.list.push(2)
        const again = await store.getRun('run-1')
        expect(again?.options.only).toEqual(['build'])
        expect(again?.plan.stages).toHaveLength(1)
        expect((await store.getStages('run-1'))[0]?.outputs).toEqual({ a: '1' })
        expect(await store.getState('s')).toEqual({ list: [1] })
      })

      it('reads its own writes at once and keeps them through flush()', async () => {
        await store.createRun(sampleRun())
        await store.putStage(sampleStage())
        await store.appendLogs([log(0)])
        expect(await store.getLogs('run-1')).toEqual([log(0)])
        await store.flush()
        expect(await store.getStages('run-1')).toEqual([sampleStage()])
      })

      it('refuses calls after close() with PW_ERR_STORE, and closes twice without error', async () => {
        await store.close()
        await store.close()
        await expect(store.getRun('run-1')).rejects.toMatchObject({ code: 'PW_ERR_STORE' })
        await expect(store.appendLogs([log(0)])).rejects.toMatchObject({ code: 'PW_ERR_STORE' })
      })
    })

    describeServerConformance(() => store)
  })
}
