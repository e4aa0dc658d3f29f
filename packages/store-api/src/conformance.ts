import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AUDIT_GENESIS, hashAuditEntry, verifyAuditChain } from './audit.js'
import type { AuditEntryInput, DeploymentRecord, HealthRecord, LockRequest, LogLine, RunRecord, StageRecord, Store, StoredEvent } from './types.js'

/** A store under test and how to remove what it left behind. */
export interface StoreUnderTest {
  store: Store
  cleanup(): Promise<void>
}

/** A complete run record; `overrides` change or add fields. */
export function sampleRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-1',
    pipeline: 'web',
    dir: '/srv/web',
    status: 'running',
    plan: { pipeline: 'web', stages: [{ id: 'build', stageId: 'build', matrix: {}, needs: [] }], spec: { name: 'web', stages: { build: { run: 'make' } } } },
    options: { only: ['build'], secretNames: ['TOKEN'] },
    createdAt: 1_000,
    pid: 4242,
    host: 'ci-1',
    heartbeatAt: 1_000,
    ...overrides,
  }
}

export function sampleStage(overrides: Partial<StageRecord> = {}): StageRecord {
  return { runId: 'run-1', stageId: 'build', status: 'running', attempts: 1, exitCode: null, outputs: {}, ...overrides }
}

function log(seq: number, stageId = 'build', runId = 'run-1'): LogLine {
  return { runId, stageId, seq, stream: seq % 2 ? 'stderr' : 'stdout', line: `line ${seq} of ${stageId}`, at: 2_000 + seq }
}

function event(seq: number, runId = 'run-1'): StoredEvent {
  return { runId, seq, type: 'stage:log', payload: { n: seq, nested: { list: [1, 'two', null] } }, at: 3_000 + seq }
}

/** A complete deployment record; `overrides` change or add fields. */
export function sampleDeployment(overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    id: 'dep-1',
    runId: 'run-1',
    stageId: 'deploy-prod',
    pipeline: 'web',
    environment: 'production',
    kind: 'deploy',
    version: '1.2.0',
    previousVersion: '1.1.0',
    strategy: 'canary',
    outcome: 'succeeded',
    commit: 'a'.repeat(40),
    branch: 'main',
    artifactDigest: `sha256:${'b'.repeat(64)}`,
    source: { kind: 'artifacts', runId: 'run-1', stageId: 'build', path: 'dist', files: [{ path: 'dist/server.js', digest: `sha256:${'c'.repeat(64)}`, size: 120 }] },
    triggeredBy: 'alice',
    approvedBy: ['bob', 'carol'],
    startedAt: 10_000,
    finishedAt: 12_000,
    url: 'http://127.0.0.1:8102',
    ...overrides,
  }
}

function lockRequest(runId: string, overrides: Partial<LockRequest> = {}): LockRequest {
  return { runId, stageId: 'deploy', pipeline: 'web', token: `${runId}-t1`, pid: 100, host: 'ci-1', at: 1_000, ...overrides }
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

    describe('deployments', () => {
      it('keeps every field, lists newest first by finish time and filters', async () => {
        const full = sampleDeployment({ error: { code: 'PW_ERR_DEPLOYMENT_FAILED', message: 'unhealthy', details: 'fix it' }, imageDigest: 'app@sha256:00', replaces: 'dep-0' })
        await store.addDeployment(full)
        await store.addDeployment(sampleDeployment({ id: 'dep-2', version: '1.3.0', outcome: 'failed', finishedAt: 20_000 }))
        await store.addDeployment(sampleDeployment({ id: 'dep-3', environment: 'staging', finishedAt: 15_000, kind: 'rollback' }))
        await store.addDeployment(sampleDeployment({ id: 'dep-4', finishedAt: 20_000, pipeline: 'api' }))
        expect(await store.getDeployment('dep-1')).toEqual(full)
        expect(await store.getDeployment('nope')).toBeUndefined()
        const ids = async (filter?: Parameters<Store['listDeployments']>[0]) => (await store.listDeployments(filter)).map((d) => d.id)
        expect(await ids()).toEqual(['dep-4', 'dep-2', 'dep-3', 'dep-1'])
        expect(await ids({ environment: 'production' })).toEqual(['dep-4', 'dep-2', 'dep-1'])
        expect(await ids({ environment: 'production', outcome: 'succeeded', pipeline: 'web' })).toEqual(['dep-1'])
        expect(await ids({ outcome: ['failed', 'succeeded'], limit: 2 })).toEqual(['dep-4', 'dep-2'])
        expect(await ids({ version: '1.3.0' })).toEqual(['dep-2'])
        expect(await ids({ kind: 'rollback' })).toEqual(['dep-3'])
        expect(await ids({ before: { finishedAt: 20_000, id: 'dep-2' } })).toEqual(['dep-3', 'dep-1'])
      })

      it('marks a deployment rolled back by a rollback, and refuses an unknown id', async () => {
        await store.addDeployment(sampleDeployment())
        await store.markDeploymentRolledBack('dep-1', 'dep-9')
        expect(await store.getDeployment('dep-1')).toEqual(sampleDeployment({ outcome: 'rolled-back', rolledBackBy: 'dep-9' }))
        await expect(store.markDeploymentRolledBack('ghost', 'dep-9')).rejects.toMatchObject({ code: 'PW_ERR_STORE' })
      })

      it('keeps deployments when their runs are pruned', async () => {
        await store.createRun(sampleRun({ status: 'succeeded', finishedAt: 100 }))
        await store.addDeployment(sampleDeployment())
        await store.addApproval({ runId: 'run-1', stageId: 'deploy-prod', environment: 'production', decision: 'approved', by: 'bob', at: 50 })
        expect(await store.pruneRuns({ finishedBefore: 500 })).toEqual({ runs: 1 })
        expect(await store.getDeployment('dep-1')).toEqual(sampleDeployment())
        expect(await store.listApprovals('run-1')).toEqual([])
      })
    })

    describe('environment locks', () => {
      it('grants a free lock, queues the others in arrival order and says who holds it and how many are ahead', async () => {
        const first = await store.acquireEnvironmentLock('production', lockRequest('r1'))
        expect(first).toMatchObject({ granted: true, ahead: 0, entry: { runId: 'r1', acquiredAt: 1_000, enqueuedAt: 1_000 } })
        const second = await store.acquireEnvironmentLock('production', lockRequest('r2', { at: 1_001 }))
        const third = await store.acquireEnvironmentLock('production', lockRequest('r3', { at: 1_002 }))
        expect(second).toMatchObject({ granted: false, ahead: 0, holder: { runId: 'r1' } })
        expect(third).toMatchObject({ granted: false, ahead: 1, holder: { runId: 'r1' } })
        expect(second.entry.seq).toBeGreaterThan(first.entry.seq)
        expect(third.entry.seq).toBeGreaterThan(second.entry.seq)
        expect(second.entry.acquiredAt).toBeUndefined()
        // Another environment has its own lock.
        expect((await store.acquireEnvironmentLock('staging', lockRequest('r3'))).granted).toBe(true)
        const state = await store.getEnvironmentLock('production')
        expect(state.holder?.runId).toBe('r1')
        expect(state.queue.map((e) => e.runId)).toEqual(['r2', 'r3'])
        expect((await store.listEnvironmentLocks()).map((l) => [l.environment, l.holder?.runId, l.queue.length])).toEqual([['production', 'r1', 2], ['staging', 'r3', 0]])
      })

      it('keeps a queued requester\'s place when it asks again, and serves only the first in line once the holder leaves', async () => {
        await store.acquireEnvironmentLock('production', lockRequest('r1'))
        await store.acquireEnvironmentLock('production', lockRequest('r2'))
        await store.acquireEnvironmentLock('production', lockRequest('r3'))
        const again = await store.acquireEnvironmentLock('production', lockRequest('r3', { token: 'r3-t2', pid: 7, at: 5_000 }))
        expect(again).toMatchObject({ granted: false, ahead: 1, entry: { token: 'r3-t2', pid: 7, enqueuedAt: 1_000 } })
        expect(await store.releaseEnvironmentLock('production', { runId: 'r1', stageId: 'deploy', token: 'r1-t1' })).toBe(true)
        // Nobody holds it, but r2 is first in line: r3 waits.
        expect(await store.acquireEnvironmentLock('production', lockRequest('r3', { token: 'r3-t2' }))).toMatchObject({ granted: false, ahead: 1 })
        expect((await store.getEnvironmentLock('production')).holder).toBeUndefined()
        expect(await store.acquireEnvironmentLock('production', lockRequest('r2', { at: 6_000 }))).toMatchObject({ granted: true, entry: { acquiredAt: 6_000 } })
        expect(await store.acquireEnvironmentLock('production', lockRequest('r3', { token: 'r3-t2' }))).toMatchObject({ granted: false, ahead: 0, holder: { runId: 'r2' } })
      })

      it('lets the holder ask again (a resumed run takes its lock over) and releases only the named acquisition', async () => {
        await store.acquireEnvironmentLock('production', lockRequest('r1'))
        const taken = await store.acquireEnvironmentLock('production', lockRequest('r1', { token: 'r1-t2', pid: 200 }))
        expect(taken).toMatchObject({ granted: true, entry: { token: 'r1-t2', pid: 200, acquiredAt: 1_000 } })
        // An observer that saw the old token does not remove the new acquisition.
        expect(await store.releaseEnvironmentLock('production', { runId: 'r1', stageId: 'deploy', token: 'r1-t1' })).toBe(false)
        expect((await store.getEnvironmentLock('production')).holder?.token).toBe('r1-t2')
        expect(await store.releaseEnvironmentLock('production', { runId: 'r1', stageId: 'deploy' })).toBe(true)
        expect(await store.getEnvironmentLock('production')).toEqual({ environment: 'production', queue: [] })
        expect(await store.releaseEnvironmentLock('production', { runId: 'r1', stageId: 'deploy' })).toBe(false)
        expect(await store.listEnvironmentLocks()).toEqual([])
      })

      it('removes a queued entry on release (a cancelled run leaves the queue)', async () => {
        await store.acquireEnvironmentLock('production', lockRequest('r1'))
        await store.acquireEnvironmentLock('production', lockRequest('r2'))
        await store.acquireEnvironmentLock('production', lockRequest('r3'))
        expect(await store.releaseEnvironmentLock('production', { runId: 'r2', stageId: 'deploy', token: 'r2-t1' })).toBe(true)
        expect(await store.acquireEnvironmentLock('production', lockRequest('r3'))).toMatchObject({ granted: false, ahead: 0 })
      })
    })

    describe('approvals', () => {
      it('keeps decisions oldest first, one per person (ignoring case), per run and stage', async () => {
        const bob = { runId: 'run-1', stageId: 'deploy-prod', environment: 'production', decision: 'approved' as const, by: 'bob', comment: 'looks good', at: 10 }
        await store.addApproval(bob)
        await store.addApproval({ ...bob, by: 'carol', at: 20, comment: undefined })
        await store.addApproval({ ...bob, stageId: 'deploy-eu', by: 'dave', at: 15 })
        await store.addApproval({ ...bob, runId: 'run-2', at: 5 })
        expect((await store.listApprovals('run-1', 'deploy-prod')).map((a) => a.by)).toEqual(['bob', 'carol'])
        expect((await store.listApprovals('run-1')).map((a) => a.by)).toEqual(['bob', 'dave', 'carol'])
        expect((await store.listApprovals('run-1', 'deploy-prod'))[0]).toEqual(bob)
        await store.addApproval({ ...bob, by: ' BOB ', decision: 'rejected', comment: 'wait', at: 30 })
        expect((await store.listApprovals('run-1', 'deploy-prod')).map((a) => [a.by, a.decision])).toEqual([['carol', 'approved'], [' BOB ', 'rejected']])
        expect(await store.listApprovals('run-9')).toEqual([])
      })
    })

    describe('health records', () => {
      const sample = (environment: string, at: number, healthy = true): HealthRecord => ({ environment, at, source: 'verify', kind: 'sample', healthy, monitor: 'monitoring/http', values: { status: healthy ? 200 : 500 }, runId: 'run-1', stageId: 'deploy' })

      it('lists newest first, filtered by environment, kind, run and time, with a limit', async () => {
        const verdict: HealthRecord = { environment: 'staging', at: 30, source: 'verify', kind: 'verdict', healthy: false, verdict: 'failed', reason: '2 failed measurement(s)', runId: 'run-2' }
        await store.addHealthRecords([sample('staging', 10), sample('staging', 20, false), sample('production', 15)])
        await store.addHealthRecords([verdict])
        expect((await store.listHealthRecords({ environment: 'staging' })).map((r) => r.at)).toEqual([30, 20, 10])
        expect(await store.listHealthRecords({ environment: 'staging', kind: 'verdict' })).toEqual([verdict])
        expect((await store.listHealthRecords({ runId: 'run-1' })).map((r) => r.environment)).toEqual(['staging', 'production', 'staging'])
        expect((await store.listHealthRecords({ environment: 'staging', before: 30, limit: 1 }))[0]).toEqual(sample('staging', 20, false))
        expect(await store.listHealthRecords({ environment: 'qa' })).toEqual([])
      })

      it('keeps records of the same time in the order they were added (newest added first)', async () => {
        await store.addHealthRecords([{ ...sample('staging', 10), monitor: 'a' }, { ...sample('staging', 10), monitor: 'b' }])
        expect((await store.listHealthRecords({ environment: 'staging' })).map((r) => r.monitor)).toEqual(['b', 'a'])
      })

      it('keeps health history when runs are pruned', async () => {
        await store.createRun({ ...sampleRun(), status: 'succeeded', finishedAt: 5 })
        await store.addHealthRecords([sample('staging', 10)])
        await store.pruneRuns({ finishedBefore: 1_000 })
        expect(await store.listHealthRecords({ environment: 'staging' })).toHaveLength(1)
      })
    })

    describe('audit trail', () => {
      const entry = (n: number, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
        at: 1_000 + n, action: 'gate.evaluated', actor: 'pipewright', source: 'engine', subject: { runId: `run-${n % 2}`, stageId: 'test' }, data: { verdict: 'pass', n }, ...overrides,
      })

      it('appends entries numbered from 1, each chained to the one before, and records the head', async () => {
        expect(await store.getAuditHead()).toBeUndefined()
        const first = await store.appendAudit(entry(1))
        const second = await store.appendAudit(entry(2, { subject: undefined, data: undefined }))
        expect(first).toMatchObject({ seq: 1, prevHash: AUDIT_GENESIS, hash: hashAuditEntry(entry(1), AUDIT_GENESIS) })
        expect(second).toMatchObject({ seq: 2, prevHash: first.hash })
        expect(second.hash).toBe(hashAuditEntry(entry(2, { subject: undefined, data: undefined }), first.hash))
        expect(await store.getAuditHead()).toEqual({ seq: 2, hash: second.hash })
        const listed = await store.listAudit()
        expect(listed).toEqual([first, second])
        expect(verifyAuditChain(listed, { head: await store.getAuditHead() })).toMatchObject({ ok: true, entries: 2 })
      })

      it('filters by time, position, action, run and deployment, oldest first, with a limit', async () => {
        for (let n = 1; n <= 6; n++) await store.appendAudit(entry(n, n === 5 ? { action: 'deploy.finished', subject: { deploymentId: 'dep-1' } } : {}))
        expect((await store.listAudit({ since: 1_002, until: 1_005 })).map((e) => e.seq)).toEqual([2, 3, 4])
        expect((await store.listAudit({ afterSeq: 4, limit: 1 })).map((e) => e.seq)).toEqual([5])
        expect((await store.listAudit({ action: 'deploy.finished' })).map((e) => e.seq)).toEqual([5])
        expect((await store.listAudit({ deploymentId: 'dep-1' })).map((e) => e.seq)).toEqual([5])
        expect((await store.listAudit({ runId: 'run-1' })).map((e) => e.seq)).toEqual([1, 3])
      })

      it('keeps what it hashed: entries read back verify, and a changed copy does not', async () => {
        const stored = await store.appendAudit(entry(1, { data: { names: ['A', 'B'], nested: { z: 1, a: [true, null] }, text: 'é 😀' } }))
        const [read] = await store.listAudit()
        expect(read).toEqual(stored)
        expect(hashAuditEntry(read!, read!.prevHash)).toBe(read!.hash)
        expect(verifyAuditChain([{ ...read!, actor: 'mallory' }]).problems.map((p) => p.kind)).toEqual(['altered'])
      })
    })

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

    describe('server: tokens, claims, leases, actions', () => {
      it('keeps tokens by hash, one live token per name, and forgets revoked ones', async () => {
        await store.addApiToken({ name: 'alice', role: 'approver', hash: 'h1', createdAt: 1 })
        await expect(store.addApiToken({ name: 'alice', role: 'viewer', hash: 'h2', createdAt: 2 })).rejects.toMatchObject({ code: 'PW_ERR_USAGE' })
        expect(await store.findApiToken('h1')).toEqual({ name: 'alice', role: 'approver', hash: 'h1', createdAt: 1 })
        expect(await store.findApiToken('nope')).toBeUndefined()
        expect(await store.revokeApiToken('alice', 5)).toBe(true)
        expect(await store.revokeApiToken('alice', 6)).toBe(false)
        expect(await store.findApiToken('h1')).toBeUndefined()
        await store.addApiToken({ name: 'alice', role: 'viewer', hash: 'h3', createdAt: 7 })
        expect((await store.listApiTokens()).map((t) => [t.hash, t.revokedAt])).toEqual([['h1', 5], ['h3', undefined]])
      })

      it('grants a claim once per scope and key, and finds the newest by prefix', async () => {
        expect(await store.claimOnce('webhook', 'github:1', 10)).toBe(true)
        expect(await store.claimOnce('webhook', 'github:1', 11)).toBe(false)
        expect(await store.claimOnce('schedule', 'github:1', 11)).toBe(true)
        expect(await store.claimOnce('schedule', 'web:a:100', 100)).toBe(true)
        expect(await store.claimOnce('schedule', 'web:a:200', 200)).toBe(true)
        expect(await store.claimOnce('schedule', 'web:b:300', 300)).toBe(true)
        expect(await store.lastClaim('schedule', 'web:a:')).toEqual({ key: 'web:a:200', at: 200 })
        expect(await store.lastClaim('schedule', 'other:')).toBeUndefined()
      })

      it('grants a lease to one holder until it expires or is released; the holder renews it and keeps acquiredAt', async () => {
        expect(await store.acquireLease('watch', 'production', 'server-a', 1000, 500)).toBe(true)
        expect(await store.acquireLease('watch', 'production', 'server-b', 1200, 500)).toBe(false)
        expect(await store.acquireLease('watch', 'staging', 'server-b', 1200, 500)).toBe(true)
        expect(await store.acquireLease('other', 'production', 'server-b', 1200, 500)).toBe(true)
        expect(await store.acquireLease('watch', 'production', 'server-a', 1400, 500)).toBe(true)
        expect(await store.listLeases('watch', 1450)).toEqual([
          { scope: 'watch', key: 'production', holder: 'server-a', acquiredAt: 1000, expiresAt: 1900 },
          { scope: 'watch', key: 'staging', holder: 'server-b', acquiredAt: 1200, expiresAt: 1700 },
        ])
        // Expired (the holder died without releasing it): another holder takes it over.
        expect(await store.acquireLease('watch', 'production', 'server-b', 1899, 500)).toBe(false)
        expect(await store.acquireLease('watch', 'production', 'server-b', 1900, 500)).toBe(true)
        expect(await store.listLeases('watch', 1900)).toEqual([{ scope: 'watch', key: 'production', holder: 'server-b', acquiredAt: 1900, expiresAt: 2400 }])
        // Released: free at once, and only its holder can release it.
        expect(await store.releaseLease('watch', 'production', 'server-a')).toBe(false)
        expect(await store.releaseLease('watch', 'production', 'server-b')).toBe(true)
        expect(await store.releaseLease('watch', 'production', 'server-b')).toBe(false)
        expect(await store.acquireLease('watch', 'production', 'server-a', 1950, 500)).toBe(true)
        expect((await store.listLeases('watch', 1950)).map((l) => l.holder)).toEqual(['server-a'])
      })

      it('grants a contested lease to exactly one of many holders asking at once', async () => {
        const won = await Promise.all(Array.from({ length: 8 }, (_, i) => store.acquireLease('watch', 'contested', `holder-${i}`, 5000, 1000)))
        expect(won.filter(Boolean)).toHaveLength(1)
        const [lease] = await store.listLeases('watch', 5000)
        expect(lease?.holder).toBe(`holder-${won.indexOf(true)}`)
      })

      it('records actions, newest first', async () => {
        await store.addServerAction({ at: 1, actor: 'bob', role: 'operator', action: 'POST /api/runs', target: 'run-1', status: 202 })
        await store.addServerAction({ at: 2, actor: 'amy', role: 'approver', action: 'POST /api/runs/:id/stages/:stageId/approve', status: 200 })
        expect((await store.listServerActions(10)).map((a) => a.actor)).toEqual(['amy', 'bob'])
        expect((await store.listServerActions(1))).toHaveLength(1)
      })
    })
  })
}
