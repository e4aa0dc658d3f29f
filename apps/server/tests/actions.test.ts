import { decideApproval } from '@pipewright/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, waitFor, type Json, type TestServer } from './helpers.js'

const PIPELINES = {
  'hello.yml': `name: hello
stages:
  build:
    run: echo "built \${{ vars.who }}"
  flaky:
    needs: [build]
    run: test -f ok-marker
`,
  'shop.yml': `name: shop
environments:
  production:
    url: http://127.0.0.1:18931
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    protection: { approvals: 2 }
stages:
  ship:
    deploy: { environment: production, version: "1.0.0" }
`,
  'slow.yml': `name: slow
stages:
  wait:
    run: sleep 30
`,
}

describe('server actions and roles over real HTTP', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer(PIPELINES)
  })
  afterAll(async () => {
    await t?.close()
  })

  it('lets an operator trigger a run with vars, as their identity, and records the action', async () => {
    expect((await t.api('/api/runs', { as: 'viewer', json: { pipeline: 'hello' } })).status).toBe(403)
    expect((await t.api('/api/runs', { as: 'approver', json: { pipeline: 'hello' } })).status).toBe(403)
    const unknown = await t.api('/api/runs', { as: 'operator', json: { pipeline: 'nope' } })
    expect(unknown.status).toBe(404)
    expect((await unknown.json() as Json).error.code).toBe('PW_ERR_PIPELINE_NOT_FOUND')
    expect((await t.api('/api/runs', { as: 'operator', json: { pipeline: 'hello', extra: 1 } })).status).toBe(400)

    const res = await t.api('/api/runs', { as: 'operator', json: { pipeline: 'hello', vars: { who: 'api' } } })
    expect(res.status).toBe(202)
    const { id } = await res.json() as Json
    const run = await waitFor(async () => {
      const d = await (await t.api(`/api/runs/${id}`, { as: 'viewer' })).json() as Json
      return ['failed', 'succeeded'].includes(d.run.status) ? d : undefined
    })
    expect(run.run).toMatchObject({ status: 'failed', trigger: { kind: 'api', actor: 'operator-user' } })
    const logs = await (await t.api(`/api/runs/${id}/logs?stage=build`, { as: 'viewer' })).json() as Json
    expect(logs.lines.map((l: { text: string }) => l.text)).toContain('built api')
    const actions = await t.engine.store.listServerActions(50)
    expect(actions).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'operator-user', role: 'operator', action: 'POST /api/runs', status: 202 }), expect.objectContaining({ actor: 'viewer-user', status: 403 })]))
  })

  it('retries a failed run from its failed stage as a new run', async () => {
    const res = await t.api('/api/runs', { as: 'operator', json: { pipeline: 'hello' } })
    const { id } = await res.json() as Json
    await waitFor(async () => ((await t.engine.runs.get(id))?.status === 'failed' ? true : undefined))
    const { writeFileSync } = await import('node:fs')
    writeFileSync(`${t.dir}/ok-marker`, '')
    expect((await t.api(`/api/runs/${id}/retry`, { as: 'viewer', method: 'POST' })).status).toBe(403)
    const retried = await t.api(`/api/runs/${id}/retry`, { as: 'operator', method: 'POST' })
    expect(retried.status).toBe(202)
    const retryId = (await retried.json() as Json).id
    expect(retryId).not.toBe(id)
    await waitFor(async () => ((await t.engine.runs.get(retryId))?.status === 'succeeded' ? true : undefined))
    const stages = await t.engine.runs.stages(retryId)
    expect(stages.map((s) => s.stageId)).toEqual(['flaky'])
  })

  it('cancels a running run', async () => {
    const { id } = await (await t.api('/api/runs', { as: 'operator', json: { pipeline: 'slow' } })).json() as Json
    await waitFor(async () => ((await t.engine.runs.stages(id)).some((s) => s.status === 'running') ? true : undefined))
    expect((await t.api(`/api/runs/${id}/cancel`, { as: 'approver', method: 'POST' })).status).toBe(403)
    expect((await t.api(`/api/runs/${id}/cancel`, { as: 'operator', method: 'POST' })).status).toBe(202)
    await waitFor(async () => ((await t.engine.runs.get(id))?.status === 'cancelled' ? true : undefined))
    // The audit trail has both attempts, as the tokens' identities (names and roles, never the token).
    const entries = await waitFor(async () => {
      const list = (await t.engine.store.listAudit({ runId: id, action: 'api.request' }))
      return list.length >= 2 ? list : undefined
    }, 10_000, 'the API audit entries')
    expect(entries.map((e) => ({ actor: e.actor, source: e.source, subject: e.subject, data: e.data }))).toEqual([
      { actor: 'approver-user', source: 'api', subject: { runId: id }, data: { route: 'POST /api/runs/:id/cancel', role: 'approver', status: 403, target: id } },
      { actor: 'operator-user', source: 'api', subject: { runId: id }, data: { route: 'POST /api/runs/:id/cancel', role: 'operator', status: 202, target: id } },
    ])
    const trail = JSON.stringify(await t.engine.store.listAudit())
    for (const token of Object.values(t.tokens)) expect(trail).not.toContain(token)
  })

  it('approves as the token identity: viewer and operator get 403, no self-approval, CLI and API approvals count together', async () => {
    const { id } = await (await t.api('/api/runs', { as: 'operator', json: { pipeline: 'shop' } })).json() as Json
    await waitFor(async () => ((await t.engine.runs.stages(id)).some((s) => s.status === 'waiting' && s.waiting?.kind === 'approval') ? true : undefined))
    const detail = await (await t.api(`/api/runs/${id}`, { as: 'viewer' })).json() as Json
    expect(detail.stages[0]).toMatchObject({ id: 'ship', status: 'waiting', kind: 'deploy', environment: 'production', waiting: { kind: 'approval' } })

    const viewer = await t.api(`/api/runs/${id}/stages/ship/approve`, { as: 'viewer', json: {} })
    expect(viewer.status).toBe(403)
    expect((await viewer.json() as Json).error.code).toBe('PW_ERR_FORBIDDEN')
    expect((await t.api(`/api/runs/${id}/stages/ship/approve`, { as: 'operator', json: {} })).status).toBe(403)
    // The admin token acts as admin-user; the run was triggered by operator-user.
    const self = await decideApproval(t.engine.store, { run: id, stageId: 'ship', by: 'operator-user', decision: 'approved' }).catch((e: { code: string }) => e.code)
    expect(self).toBe('PW_ERR_APPROVAL_REFUSED')

    const first = await t.api(`/api/runs/${id}/stages/ship/approve`, { as: 'approver', json: { comment: 'looks good' } })
    expect(first.status).toBe(200)
    expect(await first.json() as Json).toMatchObject({ decision: 'approved', by: 'approver-user', approvals: 1, needed: 2 })
    // The same person again still counts once.
    expect(await (await t.api(`/api/runs/${id}/stages/ship/approve`, { as: 'approver', json: {} })).json() as Json).toMatchObject({ approvals: 1 })
    // A CLI approval (another person) makes two.
    await decideApproval(t.engine.store, { run: id, stageId: 'ship', by: 'carol', decision: 'approved' })
    const approvals = await t.engine.store.listApprovals(id, 'ship')
    expect(approvals.map((a) => a.by).sort()).toEqual(['approver-user', 'carol'])
    // Approved by two people: the stage passes its approval gate and goes on to deploy. This server's
    // engine has no deployer (deploys are tested with the agent elsewhere), so the deploy itself fails
    // for exactly that reason, which shows the gate let it through.
    await waitFor(async () => ((await t.engine.runs.get(id))?.status === 'failed' ? true : undefined))
    const [ship] = await t.engine.runs.stages(id)
    expect(ship).toMatchObject({ stageId: 'ship', status: 'failed', error: { code: 'PW_ERR_SERVICE_NOT_FOUND' } })
    expect(ship!.error!.message).toContain('No deployer is registered')
  })

  it('lists environments and refuses a deploy from a viewer', async () => {
    const envs = await (await t.api('/api/environments', { as: 'viewer' })).json() as Json
    expect(envs).toEqual([expect.objectContaining({ name: 'production', pipeline: 'shop', lock: { queue: [] } })])
    expect((await t.api('/api/environments/production/deploy', { as: 'viewer', json: { version: '1.0.0' } })).status).toBe(403)
    const missing = await t.api('/api/environments/nope/deployments', { as: 'viewer' })
    expect(missing.status).toBe(404)
    expect((await t.api('/api/environments/production/deployments', { as: 'viewer' })).status).toBe(200)
    // Nothing latched: the ack is refused with the CLI's code.
    expect((await t.api('/api/environments/production/ack', { as: 'viewer', json: {} })).status).toBe(403)
    const ack = await t.api('/api/environments/production/ack', { as: 'operator', json: {} })
    expect((await ack.json() as Json).error.code).toBe('PW_ERR_ENVIRONMENT_NOT_LATCHED')
  })

  it('tells an environment\'s health from its stored health history: the newest verdict or sample, else the last deployment', async () => {
    const production = async () => ((await (await t.api('/api/environments', { as: 'viewer' })).json()) as Json[]).find((e) => e.name === 'production')
    // No health records yet: at most the last deployment's outcome speaks.
    expect((await production()).health?.source ?? 'deployment').toBe('deployment')
    const now = Date.now()
    await t.engine.store.addHealthRecords([
      { environment: 'production', at: now - 3000, source: 'watch', kind: 'sample', healthy: true, monitor: 'errors', values: { 'error-rate': 0.01 } },
      { environment: 'production', at: now - 2000, source: 'watch', kind: 'verdict', healthy: false, verdict: 'unhealthy', reason: 'error-rate 0.4 > 0.05' },
    ])
    expect((await production()).health).toEqual({ status: 'unhealthy', at: now - 2000, source: 'watch', kind: 'verdict', verdict: 'unhealthy', reason: 'error-rate 0.4 > 0.05' })
    // A newer sample is the latest word.
    await t.engine.store.addHealthRecords([{ environment: 'production', at: now - 1000, source: 'watch', kind: 'sample', healthy: true, monitor: 'errors', values: { 'error-rate': 0.02 } }])
    expect((await production()).health).toEqual({ status: 'healthy', at: now - 1000, source: 'watch', kind: 'sample', monitor: 'errors', values: { 'error-rate': 0.02 } })
    // Another environment's records never leak in; the schema is in the OpenAPI document.
    await t.engine.store.addHealthRecords([{ environment: 'staging', at: now, source: 'verify', kind: 'verdict', healthy: false, reason: 'elsewhere' }])
    expect((await production()).health.status).toBe('healthy')
    const openapi = JSON.stringify(await (await t.api('/openapi.json', { as: null })).json())
    expect(openapi).toContain('latchedAt')
  })
})
