import { createSqliteStore } from '@pipewright/store-sqlite'
import type { DeploymentRecord } from '@pipewright/core'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, useTempProjects } from './helpers/cli.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Two production deployments in the project's SQLite store, through the Store API. */
async function seed(dir: string): Promise<void> {
  const store = await createSqliteStore({ dir: join(dir, '.pipewright') })
  const now = Date.now()
  let n = 0
  const deploy = async (at: number, patch: Partial<DeploymentRecord>) => {
    const id = `dep-${++n}`
    await store.createRun({ id: `run-${n}`, pipeline: 'shop', dir, status: 'succeeded', plan: { pipeline: 'shop', stages: [] }, options: {}, createdAt: at - HOUR, startedAt: at - HOUR, finishedAt: at, pid: 1, host: 'h', heartbeatAt: at })
    await store.putStage({ runId: `run-${n}`, stageId: 'deploy-prod', status: 'succeeded', attempts: 1, exitCode: 0, outputs: {} })
    const record: DeploymentRecord = { id, runId: `run-${n}`, stageId: 'deploy-prod', pipeline: 'shop', environment: 'production', kind: 'deploy', version: `v${n}`, strategy: 'recreate', outcome: 'succeeded', approvedBy: [], startedAt: at - 60_000, finishedAt: at, ...patch }
    await store.addDeployment(record)
    return record
  }
  // v1 three days ago, committed 2 h before it; v2 two days ago, committed 4 h before, rolled back 30 min later.
  await deploy(now - 3 * DAY, { commitAt: now - 3 * DAY - 2 * HOUR })
  const v2 = await deploy(now - 2 * DAY, { commitAt: now - 2 * DAY - 4 * HOUR })
  const rollback = await deploy(now - 2 * DAY + 30 * 60_000, { kind: 'rollback', version: 'v1', replaces: v2.id })
  await store.markDeploymentRolledBack(v2.id, rollback.id)
  await store.close()
}

describe('pipewright report', () => {
  const project = useTempProjects()

  it('dora: the figures and bands of the store, as JSON and as text', async () => {
    const dir = await project({ 'pipewright.yml': 'name: shop\nstages:\n  a: { run: echo hi }\n' })
    await seed(dir)
    const json = await runCli(['report', 'dora', '--since', '7d', '--format', 'json'], { cwd: dir })
    expect(json.code).toBe(0)
    const [m] = JSON.parse(json.stdout).pipelines
    // 2 deployments in 7 days → 2 a week (high); leads 2 h and 4 h → median 3 h (elite);
    // 1 of 2 rolled back → 50 % (low); healthy again 30 min later (elite); the rollback is no deployment.
    expect(m).toMatchObject({ pipeline: 'shop', deployments: 2, deploymentFrequency: { band: 'high' }, leadTime: { medianMs: 3 * HOUR, band: 'elite' }, changeFailureRate: { failed: 1, total: 2, rate: 0.5, band: 'low' }, recoveryTime: { medianMs: 30 * 60_000, band: 'elite' } })
    expect(m.deploymentFrequency.perWeek).toBeCloseTo(2, 10)
    const text = await runCli(['report', 'dora', '--since', '7d'], { cwd: dir })
    expect(text.stdout).toMatch(/change failure rate\s+50 % \(1 of 2\)\s+low/)
    expect(text.stdout).toMatch(/failed deployment recovery time\s+median 30m 00s \(1 recovered\)\s+elite/)
  })

  it('dora: Markdown with SVG charts beside it, and HTML with them inline, drawn by Vega-Lite', async () => {
    const dir = await project({ 'pipewright.yml': 'name: shop\nstages:\n  a: { run: echo hi }\n' })
    await seed(dir)
    const md = await runCli(['report', 'dora', '--since', '7d', '--format', 'md', '--out', 'reports/dora.md'], { cwd: dir })
    expect(md.code).toBe(0)
    const doc = readFileSync(join(dir, 'reports/dora.md'), 'utf8')
    expect(doc).toContain('| change failure rate | 50 % (1 of 2) | low |')
    expect(doc).toContain('![Deployments per week](dora-shop-deployments.svg)')
    const svgs = readdirSync(join(dir, 'reports')).filter((f) => f.endsWith('.svg')).sort()
    expect(svgs).toEqual(['dora-shop-deployments.svg', 'dora-shop-lead-time.svg'])
    const chart = readFileSync(join(dir, 'reports', svgs[0]!), 'utf8')
    // Vega's SVG renderer marks its output; the title names the pipeline and environment.
    expect(chart).toMatch(/^<svg [^>]*class="marks"/)
    expect(chart).toContain('Deployments per week — shop → production')
    const html = await runCli(['report', 'dora', '--since', '7d', '--format', 'html'], { cwd: dir })
    expect(html.stdout).toMatch(/^<!doctype html>/)
    expect(html.stdout.match(/<svg /g)).toHaveLength(2)
  })

  it('review: suggestions and tables of the runs in the store', async () => {
    const dir = await project({ 'pipewright.yml': 'name: shop\nstages:\n  build: { run: "node -e \\"while (process.cpuUsage().user < 200000);\\"" }\n' })
    expect((await runCli(['run'], { cwd: dir })).code).toBe(0)
    const r = await runCli(['report', 'review', '--format', 'json'], { cwd: dir })
    expect(r.code).toBe(0)
    const review = JSON.parse(r.stdout)
    expect(review.runs).toBe(1)
    expect(review.slowestStages[0]).toMatchObject({ stageId: 'build', runs: 1 })
    // The stage's CPU time was recorded by the engine as it ran (at least the 200 ms it spun).
    expect(review.cpuByStage[0].stageId).toBe('build')
    expect(review.cpuByStage[0].cpuMs).toBeGreaterThanOrEqual(180)
  })

  it('refuses a bad --since or --format with the forms it accepts, exit 2, and creates no store', async () => {
    const dir = await project({ 'pipewright.yml': 'name: shop\nstages:\n  a: { run: echo hi }\n' })
    const since = await runCli(['report', 'dora', '--since', 'last month'], { cwd: dir })
    expect(since.code).toBe(2)
    expect(since.stderr).toContain('PW_ERR_REPORT_WINDOW: --since "last month" is not a window')
    expect(since.stderr).toContain('30d (days), 12w (weeks), 48h (hours)')
    const format = await runCli(['report', 'review', '--format', 'pdf'], { cwd: dir })
    expect(format.code).toBe(2)
    expect(format.stderr).toContain('Use one of: text, json, md, html')
    expect(existsSync(join(dir, '.pipewright'))).toBe(false)
  })
})
