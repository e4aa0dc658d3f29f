import type { DeploymentRecord, RunRecord, StageRecord, Store } from '@pipewright/store-api'

/** 2026-03-02 00:00 UTC, a Monday: the seeded histories count from here. */
export const T0 = Date.parse('2026-03-02T00:00:00Z')
export const HOUR = 3_600_000
export const DAY = 24 * HOUR
export const MIN = 60_000

let seq = 0

/** Writes a finished run through the store's API, as the recorder would. */
export async function seedRun(store: Store, pipeline: string, at: number, patch: Partial<RunRecord> = {}): Promise<RunRecord> {
  const run: RunRecord = {
    id: `run-${++seq}`,
    pipeline,
    dir: '/work',
    status: 'succeeded',
    plan: { pipeline, stages: [] },
    options: {},
    createdAt: at,
    startedAt: at,
    finishedAt: at + MIN,
    pid: 1,
    host: 'seed',
    heartbeatAt: at,
    ...patch,
  }
  await store.createRun(run)
  return run
}

export async function seedStage(store: Store, runId: string, stageId: string, patch: Partial<StageRecord> = {}): Promise<StageRecord> {
  const stage: StageRecord = { runId, stageId, status: 'succeeded', attempts: 1, exitCode: 0, outputs: {}, ...patch }
  await store.putStage(stage)
  return stage
}

/**
 * A deployment through a run with one deploy stage (status from `stageStatus`), finished at
 * `at`; a rollback names the deployment it replaces and marks it, as the engine does.
 */
export async function seedDeployment(
  store: Store,
  at: number,
  patch: Partial<DeploymentRecord> & { stageStatus?: StageRecord['status']; gateFailed?: boolean } = {},
): Promise<DeploymentRecord> {
  const { stageStatus = 'succeeded', gateFailed = false, ...fields } = patch
  const pipeline = fields.pipeline ?? 'shop'
  const run = await seedRun(store, pipeline, at - 5 * MIN, { status: stageStatus === 'failed' ? 'failed' : 'succeeded', finishedAt: at })
  await seedStage(store, run.id, 'deploy-prod', { status: stageStatus, startedAt: at - 5 * MIN, finishedAt: at, durationMs: 5 * MIN, ...(gateFailed ? { gates: [{ gate: 'monitoring/verify', verdict: 'fail', reason: 'error rate 7 %' }] } : {}) })
  const record: DeploymentRecord = {
    id: `dep-${++seq}`,
    runId: run.id,
    stageId: 'deploy-prod',
    pipeline,
    environment: 'production',
    kind: 'deploy',
    version: `v${seq}`,
    strategy: 'blue-green',
    outcome: 'succeeded',
    approvedBy: [],
    startedAt: at - 5 * MIN,
    finishedAt: at,
    ...fields,
  }
  await store.addDeployment(record)
  if (record.kind === 'rollback' && record.replaces && record.outcome === 'succeeded') await store.markDeploymentRolledBack(record.replaces, record.id)
  return record
}

/**
 * The history of dora.test.ts's first case (figures worked out by hand there): over [T0, T0 + 14 d)
 * production gets 5 deployments of `shop` — a (lead 2 h), b (30 h, rolled back after 40 min),
 * c (6 h, verification failed), d (1 h, hotfix/c 3 h later: rework), e (8 h, week 2).
 */
export async function seedDoraHistory(store: Store): Promise<{ b: DeploymentRecord; c: DeploymentRecord; d: DeploymentRecord }> {
  await seedDeployment(store, T0 + 9 * HOUR, { version: 'a', commitAt: T0 + 7 * HOUR, branch: 'main' })
  const b = await seedDeployment(store, T0 + DAY + 10 * HOUR, { version: 'b', commitAt: T0 + 4 * HOUR, branch: 'main' })
  await seedDeployment(store, T0 + DAY + 10 * HOUR + 40 * MIN, { kind: 'rollback', version: 'a', replaces: b.id })
  const c = await seedDeployment(store, T0 + 2 * DAY + 12 * HOUR, { version: 'c', commitAt: T0 + 2 * DAY + 6 * HOUR, branch: 'main', stageStatus: 'failed', gateFailed: true })
  const d = await seedDeployment(store, T0 + 2 * DAY + 15 * HOUR, { version: 'd', commitAt: T0 + 2 * DAY + 14 * HOUR, branch: 'hotfix/c' })
  await seedDeployment(store, T0 + 9 * DAY + 9 * HOUR, { version: 'e', commitAt: T0 + 9 * DAY + HOUR, branch: 'main' })
  return { b, c, d }
}

/** Pipeline `web`: `install` ran 4 times on one commit, 5 min each — 3 re-runs with unchanged inputs (15 min). */
export async function seedCacheReruns(store: Store): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const run = await seedRun(store, 'web', T0 + i * DAY + HOUR, { sha: 'same1', branch: 'main' })
    await seedStage(store, run.id, 'install', { startedAt: run.createdAt, finishedAt: run.createdAt + 5 * MIN, durationMs: 5 * MIN })
  }
}
