import { execFileSync } from 'node:child_process'
import riskPlugin from '@pipewright/plugin-risk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY, HOUR, MIN, T0, seedCacheReruns, seedDoraHistory } from '../../../packages/insight/tests/seed.js'
import { startTestServer, type Json, type TestServer } from './helpers.js'

// Delivery insight over real HTTP, on a real SQLite store. The DORA history is the one of
// packages/insight/tests/dora.test.ts (seeded through the Store API with its helpers); every
// expected figure below is worked out by hand from its timestamps. The server's clock is set to
// the end of that history, so `since=14d` is the window [T0, T0 + 14 d).
const NOW = T0 + 14 * DAY

const GATED = `name: gatekeeper
stages:
  assess-risk:
    run: echo assessing
    gates:
      - uses: risk/assess
        with: { environment: staging, approval-at: 90, block-at: 99 }
`

describe('insight API over real HTTP', () => {
  let t: TestServer
  let hotfix: string
  beforeAll(async () => {
    t = await startTestServer({ 'pipewright.yml': GATED }, { now: () => NOW, scheduleIntervalMs: false, plugins: [riskPlugin] })
    hotfix = (await seedDoraHistory(t.engine.store)).d.id
    await seedCacheReruns(t.engine.store)
  })
  afterAll(async () => {
    await t?.close()
  })

  it('answers DORA figures with their bands and weekly trend to a viewer', async () => {
    const res = await t.api('/api/insight/dora?since=14d', { as: 'viewer' })
    expect(res.status).toBe(200)
    const report = await res.json() as Json
    expect(report.environment).toBe('production')
    expect(report.window).toEqual({ from: T0, to: NOW })
    expect(report.pipelines).toHaveLength(1)
    const m = report.pipelines[0]
    expect(m.pipeline).toBe('shop')
    // 5 deployments in 14 days → 2.5 a week → high.
    expect(m.deployments).toBe(5)
    expect(m.deploymentFrequency).toEqual({ perDay: 5 / 14, perWeek: 2.5, band: 'high' })
    // Leads 1, 2, 6, 8, 30 h → median 6 h → elite.
    expect(m.leadTime).toEqual({ medianMs: 6 * HOUR, samples: 5, withoutCommitTime: 0, band: 'elite' })
    // b (rollback) and c (verification, hotfix) of 5 → 40 % → low.
    expect(m.changeFailureRate).toMatchObject({ failed: 2, total: 5, rate: 0.4, band: 'low' })
    expect(m.changeFailureRate.failures.map((f: Json) => [f.version, f.reasons])).toEqual([['b', ['rollback']], ['c', ['verification', 'hotfix']]])
    // Recovered after 40 min and 3 h → median 110 min → high.
    expect(m.recoveryTime).toEqual({ medianMs: 110 * MIN, samples: 2, unrecovered: 0, band: 'high' })
    expect(m.reworkRate).toEqual({ rework: 1, total: 5, rate: 0.2, deploymentIds: [hotfix] })
    expect(m.weeks).toEqual([
      { week: '2026-03-02', deployments: 4, failures: 2, leadTimeHours: 4 },
      { week: '2026-03-09', deployments: 1, failures: 0, leadTimeHours: 8 },
    ])
  })

  it('narrows DORA to a window with until, and to an environment', async () => {
    const week = await (await t.api('/api/insight/dora?since=2026-03-02&until=2026-03-09&pipeline=shop', { as: 'viewer' })).json() as Json
    const [m] = week.pipelines
    // a, b, c, d in 7 days: 4/7 a day → high; leads 1, 2, 6, 30 h → median 4 h; 2 of 4 failed; d is rework.
    expect(m.deployments).toBe(4)
    expect(m.deploymentFrequency).toEqual({ perDay: 4 / 7, perWeek: 4, band: 'high' })
    expect(m.leadTime).toMatchObject({ medianMs: 4 * HOUR, band: 'elite' })
    expect(m.changeFailureRate).toMatchObject({ failed: 2, total: 4, rate: 0.5, band: 'low' })
    expect(m.reworkRate).toMatchObject({ rework: 1, total: 4, rate: 0.25 })
    const staging = await (await t.api('/api/insight/dora?env=staging&since=14d', { as: 'viewer' })).json() as Json
    expect(staging).toEqual({ environment: 'staging', window: { from: T0, to: NOW }, pipelines: [] })
  })

  it('answers a bad window with 400 and the CLI\'s code, message and fix', async () => {
    const res = await t.api('/api/insight/dora?since=30%20days', { as: 'viewer' })
    expect(res.status).toBe(400)
    expect((await res.json() as Json).error).toEqual({
      code: 'PW_ERR_REPORT_WINDOW',
      message: '--since "30 days" is not a window: it is neither a span nor a date',
      fix: 'Give a span back from now — 30d (days), 12w (weeks), 48h (hours) — or a start date such as 2026-01-01.',
    })
    const review = await t.api('/api/insight/review?since=2027-01-01', { as: 'viewer' })
    expect(review.status).toBe(400)
    expect((await review.json() as Json).error).toMatchObject({ code: 'PW_ERR_REPORT_WINDOW', message: '--since "2027-01-01" is not a window: that date is not in the past' })
    const backwards = await t.api('/api/insight/dora?since=7d&until=8d', { as: 'viewer' })
    expect(backwards.status).toBe(400)
    expect((await backwards.json() as Json).error).toMatchObject({ code: 'PW_ERR_REPORT_WINDOW', message: '--until "8d" is not a window: it is not after --since "7d"' })
  })

  it('answers the process review with its suggestions', async () => {
    const res = await t.api('/api/insight/review?pipeline=web&since=14d', { as: 'viewer' })
    expect(res.status).toBe(200)
    const review = await res.json() as Json
    expect(review).toMatchObject({ window: { from: T0, to: NOW }, pipeline: 'web', runs: 4 })
    // 4 runs × 5 min of install → median 5 min, 20 min in all.
    expect(review.slowestStages.map((s: Json) => [s.stageId, s.runs, s.medianMs, s.totalMs])).toEqual([['install', 4, 5 * MIN, 20 * MIN]])
    expect(review.cache).toEqual([expect.objectContaining({ stageId: 'install', rerunsUnchanged: 3, rerunMs: 15 * MIN })])
    expect(review.suggestions).toEqual([{
      kind: 'cache-rerun',
      subject: 'install',
      text: 'cache `install`: 3 runs re-ran it with unchanged inputs, 15 min in all; give it `cache:` with the files it reads.',
      numbers: expect.objectContaining({ runs: 3 }),
    }])
  })

  it('shows a run\'s risk assessment and an environment\'s newest one, each factor with its contribution', async () => {
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: t.dir })
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', 'add', '-A'], { cwd: t.dir })
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', 'commit', '-qm', 'first'], { cwd: t.dir })
    const handle = await t.engine.run(`${t.dir}/pipewright.yml`, { trigger: 'cli', triggeredBy: 'someone' })
    expect(await handle.result).toMatchObject({ status: 'succeeded' })

    const res = await t.api(`/api/runs/${handle.id}/risk`, { as: 'viewer' })
    expect(res.status).toBe(200)
    const { assessments } = await res.json() as Json
    expect(assessments).toHaveLength(1)
    const [a] = assessments
    expect(a).toMatchObject({ runId: handle.id, stageId: 'assess-risk', environment: 'staging', approvalAt: 90, blockAt: 99, decision: 'pass' })
    expect(a.factors.map((f: Json) => f.name)).toEqual(['change-size', 'sensitive-paths', 'tests', 'flaky-tests', 'change-failure-rate', 'time-of-day', 'freeze'])
    expect(a.score).toBe(Math.min(100, a.factors.reduce((n: number, f: Json) => n + f.contribution, 0)))
    expect(a.factors[0]).toMatchObject({ contribution: 10, detail: expect.stringContaining('no earlier deployment') })
    // What the gate saved, as `pipewright risk --json` prints it: nothing dropped on the way.
    const [saved] = await t.engine.store.findRecords({ pipeline: 'gatekeeper', kind: 'risk.assessment', runId: handle.id })
    expect(a).toEqual({ runId: handle.id, stageId: 'assess-risk', ...(saved!.data as object) })

    const env = await t.api('/api/environments/staging/risk', { as: 'viewer' })
    expect(env.status).toBe(200)
    expect(await env.json()).toEqual(a)

    // A run without a risk gate has none; an environment nobody assessed is a 404 like the CLI's.
    const quiet = (await t.engine.store.listRuns({ pipeline: 'web', limit: 1 }))[0]!
    expect(await (await t.api(`/api/runs/${quiet.id}/risk`, { as: 'viewer' })).json()).toEqual({ assessments: [] })
    const none = await t.api('/api/environments/production/risk', { as: 'viewer' })
    expect(none.status).toBe(404)
    expect((await none.json() as Json).error).toEqual({
      code: 'PW_ERR_RUN_NOT_FOUND',
      message: 'No risk assessment for production: it is neither a run with a risk/assess gate nor an environment one assessed',
      fix: 'Pass a run id (`pipewright runs`) or an environment name; add a risk/assess gate before the deploy to get assessments.',
    })
  })

  it('answers an unknown run with 404 and refuses requests without a token', async () => {
    const unknown = await t.api('/api/runs/nope/risk', { as: 'viewer' })
    expect(unknown.status).toBe(404)
    expect((await unknown.json() as Json).error).toEqual({ code: 'PW_ERR_RUN_NOT_FOUND', message: 'Run nope not found', fix: 'List runs with GET /api/runs.' })
    for (const path of ['/api/insight/dora', '/api/insight/review', '/api/runs/nope/risk', '/api/environments/staging/risk']) {
      const res = await t.api(path, { as: null })
      expect(res.status, path).toBe(401)
      expect((await res.json() as Json).error.code).toBe('PW_ERR_UNAUTHORIZED')
    }
  })

  it('lists the routes and their schemas in the OpenAPI document', async () => {
    const doc = await (await fetch(`${t.url}/openapi.json`)).json() as Json
    expect(doc.paths['/api/insight/dora'].get.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['pipeline', 'env', 'since', 'until']))
    expect(doc.paths['/api/insight/review'].get.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['pipeline', 'since']))
    const dora = doc.paths['/api/insight/dora'].get.responses['200'].content['application/json'].schema
    expect(JSON.stringify(dora)).toContain('deploymentFrequency')
    expect(JSON.stringify(dora)).toContain('elite')
    expect(doc.paths['/api/runs/{id}/risk'].get.responses['200']).toBeDefined()
    expect(doc.paths['/api/environments/{name}/risk'].get.responses['200']).toBeDefined()
  })
})
