import type { DeploymentRecord, RunRecord, StageRecord } from './types.js'

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
