import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryStore } from '@pipewright/store-api'
import { DEPLOYER } from '../../src/deploy/deployer.js'
import { ackEnvironment, activeLatch } from '../../src/deploy/latch.js'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'
import { processTargetPlugin, recordingDeployer, running, series } from './helpers.js'

// The deployer here is a recording one (the engine's decisions are under test); the real agent,
// real processes and real HTTP are in apps/cli/tests/verify-rollback.test.ts.

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

function pipeline(verify: string, version = '1.0.0'): string {
  return `name: shop
environments:
  staging:
    url: http://127.0.0.1:18201
    target: { uses: deploy/process, with: { command: [node, server.js] } }
stages:
  deploy:
    deploy:
      environment: staging
      version: "${version}"
      from: .
      verify: ${verify}
`
}

function engineWith(deployer: ReturnType<typeof recordingDeployer>['deployer'], store = createMemoryStore()) {
  return createEngine({ plugins: [processTargetPlugin, series], services: [{ token: DEPLOYER, useValue: deployer }], store })
}

const BAD = `{ window: 20s, failure-limit: 1, monitors: [{ uses: series/values, with: { url: /healthz, values: [{ errors: 0 }, { errors: 0 }, { errors: 3 }] } }] }`

describe('post-deploy verification', () => {
  it('rolls an unhealthy deployment back inside its window, records why, emits rollback:started and deploy:rolled-back, and latches the environment until acknowledged', async () => {
    project = await tempProject(pipeline(`{ window: 2s, monitors: [{ uses: series/values, with: { values: [{ errors: 0 }] } }] }`))
    const { deployer, calls, serving } = recordingDeployer()
    const store = createMemoryStore()
    const good = await runFile(project.file, {}, {}, engineWith(deployer, store))
    expect(good.result.status).toBe('succeeded')
    expect(good.of('analysis:finished')).toMatchObject([{ verdict: 'successful', source: 'verify', environment: 'staging' }])
    // It waited as `verifying`, showing the latest sample.
    expect(good.of('stage:waiting').some((w) => w.kind === 'verifying' && /^verifying 1\.0\.0 on staging: .* measurement\(s\), 0 failed; latest: series\/values successful errors=0$/.test(w.reason))).toBe(true)

    await project.cleanup()
    project = await tempProject(pipeline(BAD, '2.0.0'))
    const started = Date.now()
    const bad = await runFile(project.file, {}, {}, engineWith(deployer, store))
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(bad.result.status).toBe('failed')
    const stage = bad.stage('deploy')
    expect(stage.error?.code).toBe('PW_ERR_VERIFICATION_FAILED')
    expect(stage.error?.message).toMatch(/^2\.0\.0 on staging turned unhealthy and was rolled back to 1\.0\.0: failed after .* of its 20s verification window: 2 failed measurement\(s\), more than failure-limit 1; monitor series\/values reported unhealthy; last: http:\/\/127\.0\.0\.1:18201\/healthz errors=3$/)
    expect(calls.map((c) => c.kind)).toEqual(['deploy', 'deploy', 'rollback'])
    expect(serving.get('staging')?.at(-1)).toBe('1.0.0')
    expect(stage.outputs.outcome).toBe('rolled-back')
    const [rollbackStarted] = bad.of('rollback:started')
    expect(rollbackStarted).toMatchObject({ environment: 'staging', version: '2.0.0', evidence: { condition: 'monitor series/values reported unhealthy', measurements: { failed: 2 } } })
    expect(rollbackStarted!.evidence.samples.map((s) => s.values.errors)).toEqual([0, 0, 3, 3])
    const [rolledBack] = bad.of('deploy:rolled-back')
    expect(rolledBack).toMatchObject({ environment: 'staging', version: '2.0.0', servingVersion: '1.0.0' })

    const history = await store.listDeployments({ environment: 'staging' })
    expect(history.map((d) => [d.kind, d.version, d.outcome])).toEqual([['rollback', '1.0.0', 'succeeded'], ['deploy', '2.0.0', 'rolled-back'], ['deploy', '1.0.0', 'succeeded']])
    expect(history[1]).toMatchObject({ rolledBackBy: history[0]!.id, verification: { reason: expect.stringContaining('failure-limit 1'), evidence: { condition: 'monitor series/values reported unhealthy' } } })
    expect(history[0]).toMatchObject({ replaces: history[1]!.id })
    const health = await store.listHealthRecords({ environment: 'staging', runId: bad.result.id })
    expect(health.filter((h) => h.kind === 'verdict')).toMatchObject([{ verdict: 'failed', source: 'verify', healthy: false }])
    expect(health.filter((h) => h.kind === 'sample').length).toBeGreaterThanOrEqual(3)
    expect(running.monitors).toBe(0)

    // Latched: the next deploy is refused with the reason, until someone acknowledges.
    expect(await activeLatch(store, 'staging')).toMatchObject({ version: '2.0.0', runId: bad.result.id })
    await project.cleanup()
    project = await tempProject(pipeline(`{ window: 200ms, monitors: [{ uses: series/values, with: { values: [{ errors: 0 }] } }] }`, '3.0.0'))
    const refused = await runFile(project.file, {}, {}, engineWith(deployer, store))
    expect(refused.result.status).toBe('failed')
    expect(refused.stage('deploy').error).toMatchObject({ code: 'PW_ERR_ENVIRONMENT_LATCHED', message: expect.stringMatching(/^staging is latched since .* UTC: 2\.0\.0 was rolled back automatically \(run \S+\) — failed after/) })
    expect(calls).toHaveLength(3)
    await ackEnvironment(store, 'staging', { by: 'oncall', at: Date.now(), comment: 'fixed in 3.0.0' })
    const after = await runFile(project.file, {}, {}, engineWith(deployer, store))
    expect(after.result.status).toBe('succeeded')
    expect(serving.get('staging')?.at(-1)).toBe('3.0.0')
    await expect(ackEnvironment(store, 'staging', { by: 'oncall', at: Date.now() })).rejects.toMatchObject({ code: 'PW_ERR_ENVIRONMENT_NOT_LATCHED' })
  }, 60_000)

  it('advisory: records the failed verdict and notifies, never rolls back nor fails the stage nor latches', async () => {
    project = await tempProject(pipeline(BAD.replace('window: 20s', 'window: 3s, advisory: true')))
    const { deployer, calls } = recordingDeployer()
    const store = createMemoryStore()
    const run = await runFile(project.file, {}, {}, engineWith(deployer, store))
    expect(run.result.status).toBe('succeeded')
    expect(calls.map((c) => c.kind)).toEqual(['deploy'])
    expect(run.of('analysis:finished')).toMatchObject([{ verdict: 'failed', advisory: true }])
    expect(run.of('rollback:started')).toEqual([])
    expect(run.stage('deploy').outputs.outcome).toBe('succeeded')
    expect(await activeLatch(store, 'staging')).toBeUndefined()
    expect(await store.listHealthRecords({ environment: 'staging', kind: 'verdict' })).toMatchObject([{ verdict: 'failed', advisory: true }])
  }, 30_000)
})

describe('a stage analysis', () => {
  function analysisPipeline(analysis: string): string {
    return `name: a
stages:
  check:
    run: "true"
    analysis: ${analysis}
`
  }
  const run = (yaml: string) => tempProject(yaml).then((p) => ((project = p), runFile(p.file, {}, { plugins: [series] })))

  it('judges values with success- and failure-conditions over `result`, with limits', async () => {
    const values = `[{ errors: 0, latency: 10 }, { errors: 0, latency: 80 }, { errors: 0, latency: 20 }, { errors: 2, latency: 10 }]`
    const ok = await run(analysisPipeline(`{ count: 3, success-condition: "result.latency < 100", monitors: [{ uses: series/values, with: { values: ${values} } }] }`))
    expect(ok.result.status).toBe('succeeded')
    expect(ok.of('analysis:finished')).toMatchObject([{ verdict: 'successful', evidence: { measurements: { successful: 3, failed: 0 } } }])
    await project!.cleanup()

    const failed = await run(analysisPipeline(`{ count: 10, failure-limit: 0, failure-condition: "\${{ result.errors > 0 }}", monitors: [{ uses: series/values, with: { values: ${values} } }] }`))
    expect(failed.result.status).toBe('failed')
    expect(failed.stage('check').error).toMatchObject({ code: 'PW_ERR_ANALYSIS_FAILED', message: expect.stringContaining('1 failed measurement(s), more than failure-limit 0; failure-condition: ${{ result.errors > 0 }}') })
    await project!.cleanup()

    const inconclusive = await run(analysisPipeline(`{ count: 10, inconclusive-limit: 1, success-condition: "result.latency < 50", failure-condition: "result.errors > 0", monitors: [{ uses: series/values, with: { values: [{ errors: 0, latency: 90 }] } }] }`))
    expect(inconclusive.stage('check').error?.message).toContain('Analysis of check inconclusive: 2 inconclusive measurement(s), more than inconclusive-limit 1; neither success-condition (result.latency < 50) nor failure-condition (result.errors > 0) held')
    await project!.cleanup()

    const advisory = await run(analysisPipeline(`{ count: 5, advisory: true, failure-condition: "result.errors > 0", monitors: [{ uses: series/values, with: { values: [{ errors: 1 }] } }] }`))
    expect(advisory.result.status).toBe('succeeded')
    expect(advisory.of('analysis:finished')).toMatchObject([{ verdict: 'failed', advisory: true }])
    expect(running.monitors).toBe(0)
  }, 30_000)

  it('refuses an analysis without count or window, naming the place', async () => {
    const bad = await tempProject(analysisPipeline(`{ monitors: [{ uses: series/values, with: { values: [{ errors: 0 }] } }] }`))
    project = bad
    const error = await runFile(bad.file, {}, { plugins: [series] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_CONFIG_INVALID', problems: [{ path: 'stages.check.analysis', message: 'An analysis needs `count:` or `window:` (when to stop)', line: 5 }] })
  })

  it('refuses unknown monitor types and conditions that do not parse, before anything runs', async () => {
    const bad = await tempProject(pipeline(`{ window: 1s, failure-condition: "result.status >>> 3", monitors: [{ uses: series/valuez }] }`))
    project = bad
    const error = await runFile(bad.file, {}, { plugins: [processTargetPlugin, series] }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_CONFIG_INVALID' })
    const problems = (error as { problems: Array<{ path: string; message: string; code: string }> }).problems
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['stages.deploy.deploy.verify.failure-condition', 'PW_ERR_EXPRESSION'],
      ['stages.deploy.deploy.verify.monitors.0.uses', 'PW_ERR_PLUGIN_NOT_FOUND'],
    ])
    expect(problems[1]!.message).toBe('Unknown monitor type "series/valuez". Did you mean "series/values"? Is its plugin listed in `plugins:`?')
  })
})
