import { beforeEach, describe, expect, it } from 'vitest'
import { AUDIT_GENESIS, hashAuditEntry, verifyAuditChain } from './audit.js'
import { sampleRun, sampleDeployment } from './conformance-samples.js'
import type { AuditEntryInput, HealthRecord, LockRequest, Store } from './types.js'

function lockRequest(runId: string, overrides: Partial<LockRequest> = {}): LockRequest {
  return { runId, stageId: 'deploy', pipeline: 'web', token: `${runId}-t1`, pid: 100, host: 'ci-1', at: 1_000, ...overrides }
}

/**
 * Deployments, environment locks, approvals, health records and the audit trail: the operations part of the store conformance suite.
 * Called inside `describeStoreConformance`, after its own `beforeEach` opened the store.
 */
export function describeOperationsConformance(current: () => Store): void {
  let store: Store
  beforeEach(() => {
    store = current()
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
}
