import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type Json, type TestServer } from './helpers.js'

const HELLO = `name: hello
stages:
  build:
    run: echo built
  test:
    needs: [build]
    run: echo tested
`

describe('server API over real HTTP', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ 'pipewright.yml': HELLO })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('answers /healthz without a token and /api only with a valid one', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200)
    const anonymous = await t.api('/api/me', { as: null })
    expect(anonymous.status).toBe(401)
    expect((await anonymous.json() as Json).error).toMatchObject({ code: 'PW_ERR_UNAUTHORIZED' })
    const forged = await fetch(`${t.url}/api/me`, { headers: { authorization: 'Bearer pw_not-a-real-token' } })
    expect(forged.status).toBe(401)
    const me = await t.api('/api/me', { as: 'approver' })
    expect(await me.json() as Json).toEqual({ name: 'approver-user', role: 'approver' })
  })

  it('lists runs and shows one with its stages in plan order', async () => {
    const handle = await t.engine.run(`${t.dir}/pipewright.yml`, { trigger: 'cli', triggeredBy: 'someone' })
    await handle.result
    const list = await (await t.api('/api/runs?limit=10', { as: 'viewer' })).json() as Json
    expect(list.runs.map((r: { id: string }) => r.id)).toContain(handle.id)
    const detail = await (await t.api(`/api/runs/${handle.id}`, { as: 'viewer' })).json() as Json
    expect(detail.run).toMatchObject({ id: handle.id, pipeline: 'hello', status: 'succeeded', trigger: { kind: 'cli', actor: 'someone' } })
    expect(detail.stages.map((s: { id: string; status: string; needs: string[] }) => [s.id, s.status, s.needs])).toEqual([['build', 'succeeded', []], ['test', 'succeeded', ['build']]])
  })

  it('answers an unknown run with 404 and the CLI code, message and fix', async () => {
    const res = await t.api('/api/runs/nope', { as: 'viewer' })
    expect(res.status).toBe(404)
    expect((await res.json() as Json).error).toEqual({ code: 'PW_ERR_RUN_NOT_FOUND', message: 'Run nope not found', fix: 'List runs with GET /api/runs.' })
  })

  it('serves an OpenAPI document generated from the zod schemas', async () => {
    const doc = await (await fetch(`${t.url}/openapi.json`)).json() as Json
    expect(doc.openapi).toMatch(/^3\./)
    expect(doc.paths['/api/runs'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['pipeline', 'status', 'branch', 'limit', 'cursor']))
    expect(doc.paths['/api/runs/{id}'].get.responses['200']).toBeDefined()
  })

  it('exposes Prometheus metrics: runs by status, queue depth, stage durations, lock waits, webhook deliveries', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text()
    const succeeded = (await t.engine.store.listRuns({ status: 'succeeded' })).length
    expect(succeeded).toBeGreaterThan(0)
    expect(text).toContain(`pipewright_runs{status="succeeded"} ${succeeded}`)
    expect(text).toContain('pipewright_queue_depth 0')
    expect(text).toMatch(/pipewright_stage_duration_seconds_count\{pipeline="hello",status="succeeded"\} [1-9]/)
    expect(text).toContain('# TYPE pipewright_environment_lock_wait_seconds histogram')
    expect(text).toContain('# TYPE pipewright_webhook_deliveries_total counter')
  })
})
