import { afterEach, describe, expect, it } from 'vitest'
import { definePlugin } from '@pipewright/plugin-api'
import { createMemoryStore, verifyAuditChain } from '@pipewright/store-api'
import { DEPLOYER } from '../../src/deploy/deployer.js'
import { decideApproval } from '../../src/deploy/approvals.js'
import { unlockEnvironment } from '../../src/deploy/locks.js'
import { createEngine } from '../../src/engine/engine.js'
import { recordAudit } from '../../src/record/audit.js'
import { tempProject, type TempProject } from '../engine/helpers.js'
import { gitInit, processTargetPlugin, recordingDeployer, until } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const checks = definePlugin({
  id: 'checks',
  apiVersion: 1,
  register(api) {
    api.gate('always', { evaluate: async () => ({ verdict: 'pass', reason: 'all good', evidence: { n: 1 } }) })
  },
})

const PIPELINE = `name: shop
environments:
  production:
    url: http://127.0.0.1:18102
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    protection: { approvals: 1 }
stages:
  build:
    run: mkdir -p dist && echo "v1" > dist/app.txt
    artifacts: [dist/**]
    gates: [{ uses: checks/always }]
  deploy-prod:
    needs: [build]
    deploy: { environment: production, version: "1.2.0", from: build/dist }
`

describe('the audit trail of a run', () => {
  it('records who triggered it (var and secret names, never values), gate verdicts, the approval with its comment, and the deployment, in one verifiable chain', async () => {
    project = await tempProject(PIPELINE)
    const sha = gitInit(project.dir)
    const store = createMemoryStore()
    const engine = createEngine({ plugins: [processTargetPlugin, checks], services: [{ token: DEPLOYER, useValue: recordingDeployer().deployer }], store })
    const handle = await engine.run(project.file, { triggeredBy: 'alice', vars: { region: 'eu-west' }, secrets: { API_TOKEN: 's3cr3t-value-123' } })
    await until(async () => (await engine.runs.stages(handle.id)).some((s) => s.stageId === 'deploy-prod' && s.status === 'waiting'))
    await decideApproval(store, { run: handle.id, by: 'bob', decision: 'approved', comment: 'canary looks good' })
    engine.wake(handle.id)
    expect((await handle.result).status).toBe('succeeded')
    await engine.close()

    const entries = await store.listAudit()
    expect(entries.map((e) => e.action)).toEqual(['run.triggered', 'gate.evaluated', 'approval.requested', 'approval.approved', 'deploy.started', 'deploy.finished', 'run.finished'])
    const byAction = Object.fromEntries(entries.map((e) => [e.action, e]))
    // Started through the engine's API (the CLI passes trigger: cli).
    expect(byAction['run.triggered']).toMatchObject({ actor: 'alice', source: 'api', subject: { runId: handle.id, pipeline: 'shop' }, data: { vars: ['region'], secrets: ['API_TOKEN'], commit: sha, trigger: 'api' } })
    expect(JSON.stringify(entries)).not.toContain('s3cr3t-value-123')
    expect(JSON.stringify(entries)).not.toContain('eu-west')
    expect(byAction['gate.evaluated']).toMatchObject({ actor: 'pipewright', subject: { stageId: 'build' }, data: { gate: 'checks/always', verdict: 'pass', reason: 'all good' } })
    expect(byAction['approval.approved']).toMatchObject({ actor: 'bob', subject: { runId: handle.id, stageId: 'deploy-prod', environment: 'production' }, data: { comment: 'canary looks good' } })
    const [deployment] = await store.listDeployments({ environment: 'production' })
    expect(byAction['deploy.finished']).toMatchObject({ actor: 'alice', subject: { deploymentId: deployment!.id, environment: 'production' }, data: { version: '1.2.0', outcome: 'succeeded', approvedBy: ['bob'], commit: sha } })
    expect(verifyAuditChain(entries, { head: await store.getAuditHead() })).toMatchObject({ ok: true, entries: 7 })
  })

  it('records a forced unlock with who did it, and entries from recordAudit (the server\'s API actions)', async () => {
    const store = createMemoryStore()
    await store.acquireEnvironmentLock('production', { runId: 'r1', stageId: 'deploy', pipeline: 'shop', token: 't', pid: process.pid, host: 'here', at: 1 })
    const result = await unlockEnvironment(store, 'production', { force: true, actor: 'carol' })
    expect(result.removed?.runId).toBe('r1')
    await recordAudit(store, { action: 'token.created', actor: 'admin', data: { name: 'ci', role: 'operator' }, at: 5 })
    const entries = await store.listAudit()
    expect(entries.map((e) => [e.action, e.actor, e.source])).toEqual([['environment.unlocked', 'carol', 'cli'], ['token.created', 'admin', 'api']])
    expect(entries[0]).toMatchObject({ subject: { environment: 'production', runId: 'r1' }, data: { force: true } })
  })
})
