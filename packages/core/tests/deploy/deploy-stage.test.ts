import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryStore } from '@pipewright/store-api'
import { DEPLOYER } from '../../src/deploy/deployer.js'
import { decideApproval } from '../../src/deploy/approvals.js'
import { createEngine } from '../../src/engine/engine.js'
import type { EngineOptions } from '../../src/engine/types.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'
import { autoClock, gitInit, processTargetPlugin, recordingDeployer, until } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const ENVIRONMENTS = `
environments:
  staging:
    url: http://127.0.0.1:18101
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    instances: 2
    health: { path: /ready, startup-timeout: 5s }
    strategy: blue-green
  production:
    url: http://127.0.0.1:18102
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    protection: PROTECTION
`

function pipeline(protection = '{}', stages = ''): string {
  return `name: shop
${ENVIRONMENTS.replace('PROTECTION', protection)}
stages:
  build:
    run: mkdir -p dist && echo "v-$RANDOM" > dist/app.txt
    artifacts: [dist/**]
  deploy-staging:
    needs: [build]
    deploy: { environment: staging, version: "1.2.0", from: build/dist }
${stages}`
}

const PROD = `  deploy-prod:
    needs: [build, deploy-staging]
    deploy: { environment: production, version: "1.2.0", from: build/dist, strategy: { canary: { steps: [10, 50], pause: 1s } } }
`

function engineWith(deployer: ReturnType<typeof recordingDeployer>['deployer'], options: EngineOptions = {}) {
  return createEngine({ plugins: [processTargetPlugin], services: [{ token: DEPLOYER, useValue: deployer }], ...options })
}

describe('a deploy: stage', () => {
  it('deploys the artifacts of a need through the deployer, sets its outputs and records the deployment with every field', async () => {
    project = await tempProject(pipeline())
    // A commit dated in the past: lead time for changes starts at the commit's time, kept on the record.
    const sha = gitInit(project.dir, 'main', '2026-01-02T03:04:05Z')
    const { deployer, calls } = recordingDeployer()
    const store = createMemoryStore()
    const run = await runFile(project.file, { triggeredBy: 'alice' }, {}, engineWith(deployer, { store }))
    expect(run.result.status).toBe('succeeded')
    const [call] = calls
    expect(call).toMatchObject({
      kind: 'deploy',
      request: {
        version: '1.2.0',
        strategy: { kind: 'blue-green' },
        environment: { name: 'staging', url: 'http://127.0.0.1:18101', target: { uses: 'deploy/process', with: { command: ['node', 'server.js'] } }, instances: 2, health: { path: '/ready', startupTimeoutMs: 5000 } },
        meta: { runId: run.result.id, stageId: 'deploy-staging', commit: sha },
      },
    })
    if (call?.kind !== 'deploy' || !('directory' in call.request.source)) throw new Error('expected a directory')
    expect(call.request.source.directory).toMatch(/artifacts\/build\/dist$/)
    expect(run.stage('deploy-staging').outputs).toMatchObject({ url: 'http://127.0.0.1:18101', version: '1.2.0', outcome: 'succeeded', strategy: 'blue-green', 'deployment-id': expect.stringMatching(/^dep-/) })
    expect(run.logs('deploy-staging')).toEqual(expect.arrayContaining(['acquired the lock of staging', 'deploying 1.2.0', 'released the lock of staging']))
    expect(run.of('deploy:started')).toEqual([expect.objectContaining({ stageId: 'deploy-staging', environment: 'staging', kind: 'deploy', version: '1.2.0', strategy: 'blue-green' })])

    const [record] = await store.listDeployments({ environment: 'staging' })
    expect(record).toEqual({
      id: run.stage('deploy-staging').outputs['deployment-id'],
      runId: run.result.id,
      stageId: 'deploy-staging',
      pipeline: 'shop',
      environment: 'staging',
      kind: 'deploy',
      version: '1.2.0',
      strategy: 'blue-green',
      outcome: 'succeeded',
      commit: sha,
      branch: 'main',
      commitAt: Date.parse('2026-01-02T03:04:05Z'),
      artifactDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      source: { kind: 'artifacts', runId: run.result.id, stageId: 'build', path: 'dist', files: [{ path: 'dist/app.txt', digest: expect.stringMatching(/^sha256:/), size: expect.any(Number) }] },
      triggeredBy: 'alice',
      approvedBy: [],
      startedAt: expect.any(Number),
      finishedAt: expect.any(Number),
      url: 'http://127.0.0.1:18101',
    })
    expect(record!.finishedAt).toBeGreaterThanOrEqual(record!.startedAt)
    expect(await store.listEnvironmentLocks()).toEqual([])
  })

  it('fails, naming the deployer\'s reason, when the new version does not become healthy; the record says failed', async () => {
    project = await tempProject(pipeline())
    const reason = 'Version 1.2.0 of staging did not become healthy: health check GET http://127.0.0.1:4000/ready of instance staging-1 did not pass in 5 s (20 attempts); last answered 503 "db down"'
    const { deployer } = recordingDeployer(() => ({ outcome: 'failed', servingVersion: '1.1.0', error: { code: 'PW_ERR_DEPLOYMENT_FAILED', message: reason } }))
    const store = createMemoryStore()
    const run = await runFile(project.file, {}, {}, engineWith(deployer, { store }))
    expect(run.stage('deploy-staging')).toMatchObject({ status: 'failed', error: { code: 'PW_ERR_DEPLOYMENT_FAILED', message: reason }, outputs: { outcome: 'failed' } })
    expect((await store.listDeployments())[0]).toMatchObject({ outcome: 'failed', error: { message: reason } })
  })

  it('masks secrets in what it records and outputs', async () => {
    project = await tempProject(pipeline().replace('name: shop', 'name: shop\nsecrets: [TOKEN]').replace('version: "1.2.0", from: build/dist', 'version: "v-${{ secrets.TOKEN }}", from: build/dist'))
    const store = createMemoryStore()
    const run = await runFile(project.file, { secrets: { TOKEN: 's3cr3t-value' } }, {}, engineWith(recordingDeployer().deployer, { store }))
    expect(run.stage('deploy-staging').outputs.version).toBe('v-***')
    expect(JSON.stringify(await store.listDeployments())).not.toContain('s3cr3t-value')
    expect(JSON.stringify(run.events)).not.toContain('s3cr3t-value')
  })

  it('says how to register a deployer when none is', async () => {
    project = await tempProject(pipeline())
    const run = await runFile(project.file, {}, { plugins: [processTargetPlugin] })
    expect(run.stage('deploy-staging').error).toMatchObject({ code: 'PW_ERR_SERVICE_NOT_FOUND', message: expect.stringContaining('No deployer is registered') })
  })

  it('deploys a recorded version again from its stored artifacts, and a rollback marks what it replaced', async () => {
    project = await tempProject(pipeline())
    gitInit(project.dir)
    const { deployer, calls } = recordingDeployer()
    const store = createMemoryStore()
    const engine = engineWith(deployer, { store })
    await runFile(project.file, {}, {}, engine)
    const redeploy = `name: shop\n${ENVIRONMENTS.replace('PROTECTION', '{}')}\nstages:\n  again: { deploy: { environment: staging, version: "1.2.0" } }\n  back: { needs: [again], deploy: { environment: staging, rollback: true } }\n`
    const second = await tempProject(redeploy)
    try {
      const run = await runFile(second.file, {}, {}, engine)
      expect(run.result.status).toBe('succeeded')
      const again = calls[1]
      if (again?.kind !== 'deploy' || !('directory' in again.request.source)) throw new Error('expected a directory deploy')
      expect(again.request.source.directory).toMatch(/redeploy\/dep-[^/]+\/dist$/)
      const [rollback, redeployed, first] = await store.listDeployments({ environment: 'staging' })
      expect(rollback).toMatchObject({ kind: 'rollback', outcome: 'succeeded', version: '1.2.0', replaces: redeployed!.id })
      expect(redeployed).toMatchObject({ kind: 'deploy', outcome: 'rolled-back', rolledBackBy: rollback!.id, artifactDigest: first!.artifactDigest })
    } finally {
      await second.cleanup()
    }
  })
})

describe('protection rules', () => {
  it('branches: a run of another branch fails at once, saying which rule and how to proceed', async () => {
    project = await tempProject(pipeline('{ branches: [main, "release/*"] }', PROD))
    gitInit(project.dir, 'feature/x')
    const { deployer, calls } = recordingDeployer()
    const run = await runFile(project.file, {}, {}, engineWith(deployer))
    expect(run.stage('deploy-prod')).toMatchObject({
      status: 'failed',
      error: { code: 'PW_ERR_PROTECTION', message: 'Protection rule "branches" of production: this run is on branch feature/x; only main, release/* may deploy here', details: expect.stringContaining('Merge into main, release/*') },
    })
    expect(calls.map((c) => c.kind === 'deploy' && c.request.environment.name)).toEqual(['staging'])
  })

  it('freeze: inside a window the deploy waits until it ends; with --no-wait it fails', async () => {
    project = await tempProject(pipeline('{ freeze: [{ cron: "* 17-18 * * 5", timezone: UTC, reason: friday evening }] }', PROD))
    const friday = Date.UTC(2025, 5, 6, 17, 30)
    const noWait = await runFile(project.file, { noWait: true }, {}, engineWith(recordingDeployer().deployer, { clock: autoClock(friday) }))
    expect(noWait.stage('deploy-prod').error).toMatchObject({ code: 'PW_ERR_PROTECTION', message: expect.stringMatching(/^Protection rule "freeze" of production: production is frozen \(friday evening\) by the window "\* 17-18 \* \* 5" \(UTC\) until .*, and the run was started with --no-wait$/) })

    const clock = autoClock(friday)
    const waited = await runFile(project.file, {}, {}, engineWith(recordingDeployer().deployer, { clock }))
    expect(waited.stage('deploy-prod').status).toBe('succeeded')
    const [wait] = waited.of('stage:waiting').filter((w) => w.stageId === 'deploy-prod')
    expect(wait).toMatchObject({ kind: 'window', reason: expect.stringContaining('the deploy waits for the window to end (--no-wait fails instead)') })
    const started = waited.of('deploy:started').find((d) => d.environment === 'production')!
    expect(started.at).toBeGreaterThanOrEqual(Date.UTC(2025, 5, 6, 19, 0))
  })

  it('approvals: distinct approvers, the trigger does not count, the approvers are recorded', async () => {
    project = await tempProject(pipeline('{ approvals: 2 }', PROD))
    const store = createMemoryStore()
    const { deployer } = recordingDeployer()
    const engine = engineWith(deployer, { store })
    const events: Array<{ type: string; payload: any }> = []
    engine.onAny((type, payload) => events.push({ type, payload }))
    const handle = await engine.run(project.file, { triggeredBy: 'Alice <alice@example.com>' })
    const waiting = async () => (await engine.runs.stages(handle.id)).find((s) => s.stageId === 'deploy-prod' && s.status === 'waiting')?.waiting
    expect(await until(waiting)).toMatchObject({ kind: 'approval', reason: `production needs 2 approvals: 0 of 2 (nobody yet); approve with \`pipewright approve ${handle.id} deploy-prod --as <name>\``, phase: 'prepare', hook: 'deploy' })
    expect(events.filter((e) => e.type === 'approval:requested')).toHaveLength(1)

    await expect(decideApproval(store, { run: handle.id, by: 'alice', decision: 'approved' })).rejects.toMatchObject({ code: 'PW_ERR_APPROVAL_REFUSED', message: expect.stringContaining('alice triggered run') })
    // Recorded behind the command's back (another writer), a self-approval still does not count.
    await store.addApproval({ runId: handle.id, stageId: 'deploy-prod', environment: 'production', decision: 'approved', by: 'alice@example.com', at: Date.now() })
    await decideApproval(store, { run: handle.id, by: 'bob', decision: 'approved', comment: 'ok' })
    await decideApproval(store, { run: handle.id, by: 'BOB', decision: 'approved' })
    engine.wake(handle.id)
    expect(await until(async () => ((await waiting())?.reason.includes('1 of 2 (BOB)') ? await waiting() : undefined))).toMatchObject({
      reason: expect.stringContaining('alice@example.com triggered the run and cannot approve it'),
    })
    const decision = await decideApproval(store, { run: handle.id.slice(0, 12), stageId: 'deploy-prod', by: 'carol', decision: 'approved' })
    expect(decision.status.valid.map((a) => a.by)).toEqual(['BOB', 'carol'])
    engine.wake(handle.id)
    const result = await handle.result
    expect(result.status).toBe('succeeded')
    expect((await store.listDeployments({ environment: 'production' }))[0]).toMatchObject({ approvedBy: ['BOB', 'carol'], triggeredBy: 'Alice <alice@example.com>' })
    expect(events.filter((e) => e.type === 'approval:decided').map((e) => [e.payload.by, e.payload.decision])).toEqual([['alice@example.com', 'approved'], ['BOB', 'approved'], ['carol', 'approved']])
  })

  it('approvals: a rejection fails the stage with the approver\'s comment', async () => {
    project = await tempProject(pipeline('{ approvals: 1 }', PROD))
    const store = createMemoryStore()
    const engine = engineWith(recordingDeployer().deployer, { store })
    const handle = await engine.run(project.file)
    await until(async () => (await engine.runs.stages(handle.id)).some((s) => s.status === 'waiting'))
    await decideApproval(store, { run: handle.id, by: 'dana', decision: 'rejected', comment: 'not during the incident' })
    engine.wake(handle.id)
    const result = await handle.result
    expect(result.stages.find((s) => s.id === 'deploy-prod')).toMatchObject({ status: 'failed', error: { code: 'PW_ERR_APPROVAL_REJECTED', message: 'dana rejected the deploy to production: not during the incident' } })
    await expect(decideApproval(store, { run: handle.id, by: 'erin', decision: 'approved' })).rejects.toMatchObject({ code: 'PW_ERR_APPROVAL_REFUSED', message: expect.stringContaining('already failed') })
  })

  it('approvals: the request expires after approval-timeout', async () => {
    project = await tempProject(pipeline('{ approvals: 1, approval-timeout: 2h }', PROD))
    const clock = autoClock(Date.UTC(2025, 0, 1))
    const run = await runFile(project.file, {}, {}, engineWith(recordingDeployer().deployer, { clock }))
    expect(run.stage('deploy-prod')).toMatchObject({ status: 'failed', error: { code: 'PW_ERR_APPROVAL_EXPIRED', message: 'The approval request for production expired after 2h with 0 of 1 approvals (nobody yet)' } })
  })
})

describe('the environment lock', () => {
  it('makes a second run wait, saying who holds the lock, and lets it go when the first releases it', async () => {
    project = await tempProject(pipeline('{ approvals: 1 }', PROD))
    const store = createMemoryStore()
    const engine = engineWith(recordingDeployer().deployer, { store })
    // The first run takes production's lock... no: it waits for approval before the lock. Hold it by hand instead.
    await store.acquireEnvironmentLock('staging', { runId: 'other-run', stageId: 'deploy', pipeline: 'shop', token: 't', pid: process.pid, host: (await import('node:os')).hostname(), at: 1 })
    await store.createRun({ id: 'other-run', pipeline: 'shop', dir: '/', status: 'running', plan: { pipeline: 'shop', stages: [] }, options: {}, createdAt: 1, pid: process.pid, host: (await import('node:os')).hostname(), heartbeatAt: Date.now() })
    const handle = await engine.run(project.file, { only: ['build', 'deploy-staging'] })
    const waiting = await until(async () => (await engine.runs.stages(handle.id)).find((s) => s.stageId === 'deploy-staging' && s.status === 'waiting')?.waiting)
    expect(waiting).toMatchObject({ kind: 'lock', reason: 'staging locked by run other-run (deploy), you are next' })
    expect((await store.getEnvironmentLock('staging')).queue.map((q) => q.runId)).toEqual([handle.id])
    await store.releaseEnvironmentLock('staging', { runId: 'other-run', stageId: 'deploy' })
    expect((await handle.result).status).toBe('succeeded')
  })

  it('evicts a holder whose process is gone and says so', async () => {
    project = await tempProject(pipeline())
    const store = createMemoryStore()
    const host = (await import('node:os')).hostname()
    await store.createRun({ id: 'dead-run', pipeline: 'shop', dir: '/', status: 'running', plan: { pipeline: 'shop', stages: [] }, options: {}, createdAt: 1, pid: 999_999_999, host, heartbeatAt: 1 })
    await store.acquireEnvironmentLock('staging', { runId: 'dead-run', stageId: 'deploy-staging', pipeline: 'shop', token: 'old', pid: 999_999_999, host, at: 1 })
    const run = await runFile(project.file, {}, {}, engineWith(recordingDeployer().deployer, { store }))
    expect(run.result.status).toBe('succeeded')
    expect(run.logs('deploy-staging')).toContain(`released the lock of staging held by run dead-run (deploy-staging): its process 999999999 on ${host} is gone`)
  })
})
