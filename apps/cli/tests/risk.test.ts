import { describe, expect, it } from 'vitest'
import { git } from './helpers/deploy-project.js'
import { runCli, useTempProjects } from './helpers/cli.js'

const PIPELINE = `name: shop
stages:
  assess-risk:
    run: echo assessing
    gates:
      - uses: risk/assess
        with: { environment: production, approval-at: 90, block-at: 99, sensitive-paths: { billing: ["src/billing/**"] } }
`

describe('pipewright risk', () => {
  const project = useTempProjects()

  it('prints the assessment of a run and the newest one of an environment, each factor with its contribution and data', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE, 'src/billing/invoice.js': 'export const total = 1\n' })
    git(dir, 'init', '-q', '-b', 'main')
    git(dir, 'add', '-A')
    git(dir, 'commit', '-qm', 'first')
    const run = await runCli(['run'], { cwd: dir })
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const runId = /^run (\S+) · shop/m.exec(run.stdout)![1]!

    const byRun = await runCli(['risk', runId], { cwd: dir })
    expect(byRun.stderr).toBe('')
    expect(byRun.stdout).toMatch(new RegExp(`^risk \\d+/100 for production: pass \\(approval at 90, block at 99\\) · run ${runId} assess-risk · `, 'm'))
    expect(byRun.stdout).toMatch(/^ {2}\+10 +change-size +no earlier deployment to compare with/m)
    expect(byRun.stdout).toMatch(/^ {2}\+10 +tests +no test results in this run$/m)
    const json = JSON.parse((await runCli(['risk', 'production', '--json'], { cwd: dir })).stdout) as Array<{ runId: string; factors: Array<{ name: string }> }>
    expect(json).toHaveLength(1)
    expect(json[0]!.runId).toBe(runId)
    expect(json[0]!.factors.map((f) => f.name)).toEqual(['change-size', 'sensitive-paths', 'tests', 'flaky-tests', 'change-failure-rate', 'time-of-day', 'freeze'])

    const missing = await runCli(['risk', 'staging'], { cwd: dir })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('No risk assessment for staging: it is neither a run with a risk/assess gate nor an environment one assessed')
  })
})
