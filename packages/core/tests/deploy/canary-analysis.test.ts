import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryStore } from '@pipewright/store-api'
import { DEPLOYER, type Deployer, type DeployerResult } from '../../src/deploy/deployer.js'
import { activeLatch } from '../../src/deploy/latch.js'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'
import { processTargetPlugin, running, series } from './helpers.js'

// The engine's side of a canary's analysis: the deployer here stands in for the agent and only
// walks the steps, asking `onCanaryStep` at each (the engine's decisions are under test). The real
// agent, real processes and real HTTP are in apps/cli/tests/canary-analysis.test.ts.

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

/** Walks a canary's steps below 100, asking for a verdict at each; a `proceed: false` ends it `aborted`, the old version serving. */
function steppingDeployer() {
  const reached: number[] = []
  const deployer: Deployer = {
    async deploy(request, options) {
      const base = { version: request.version, strategy: request.strategy.kind, startedAt: Date.now() }
      if (request.strategy.kind === 'canary' && options.onCanaryStep) {
        for (const weight of request.strategy.steps.filter((s) => s < 100)) {
          reached.push(weight)
          const verdict = await options.onCanaryStep({ weight })
          if (!verdict.proceed) return { ...base, outcome: 'aborted', finishedAt: Date.now(), servingVersion: '1.0.0', error: { code: 'PW_ERR_CANCELLED', message: `The operation on staging was aborted: ${verdict.reason}` } } satisfies DeployerResult
        }
      }
      reached.push(100)
      return { ...base, outcome: 'succeeded', finishedAt: Date.now(), servingVersion: request.version }
    },
    rollback: () => Promise.reject(new Error('a canary abort is no rollback deployment')),
  }
  return { deployer, reached }
}

function pipeline(analysis: string): string {
  return `name: shop
environments:
  staging:
    url: http://127.0.0.1:18301
    target: { uses: deploy/process, with: { command: [node, server.js] } }
stages:
  deploy:
    deploy:
      environment: staging
      version: "2.0.0"
      from: .
      strategy: { canary: { steps: [10, 50], analysis: ${analysis} } }
`
}

async function run(analysis: string) {
  project = await tempProject(pipeline(analysis))
  const stepping = steppingDeployer()
  const store = createMemoryStore()
  const engine = createEngine({ plugins: [processTargetPlugin, series], services: [{ token: DEPLOYER, useValue: stepping.deployer }], store })
  return { ...stepping, store, run: await runFile(project.file, {}, {}, engine) }
}

describe('analysis between canary steps (the engine\'s side)', () => {
  it('judges every step with a fresh analysis over its window, the step in the evidence, then lets the canary be promoted', async () => {
    const { reached, run: r, store } = await run(`{ window: 300ms, monitors: [{ uses: series/values, with: { url: /healthz, values: [{ errors: 0 }] } }] }`)
    expect(r.result.status).toBe('succeeded')
    expect(reached).toEqual([10, 50, 100])
    expect(r.of('analysis:finished').map((a) => [a.verdict, a.source, a.environment, a.evidence.step])).toEqual([['successful', 'analysis', 'staging', 10], ['successful', 'analysis', 'staging', 50]])
    // The monitor got the environment's url for its relative one, and nothing is left running.
    expect(r.of('monitor:sample')[0]!.reason).toBe('http://127.0.0.1:18301/healthz errors=0')
    expect(running.monitors).toBe(0)
    expect(r.stage('deploy').outputs.outcome).toBe('succeeded')
    expect(await store.listHealthRecords({ environment: 'staging', kind: 'verdict' })).toHaveLength(2)
  }, 30_000)

  it('inconclusive beyond its limit aborts at the first step: rolled-back with the evidence, rollback:started, the stage failed saying why, the environment latched', async () => {
    const { reached, run: r, store } = await run(`{ count: 10, inconclusive-limit: 1, success-condition: result.latency < 100, failure-condition: result.latency > 500, monitors: [{ uses: series/values, with: { values: [{ latency: 20 }, { latency: 200 }] } }] }`)
    expect(r.result.status).toBe('failed')
    expect(reached).toEqual([10])
    const error = r.stage('deploy').error
    expect(error?.code).toBe('PW_ERR_ANALYSIS_FAILED')
    expect(error?.message).toMatch(/^The canary of 2\.0\.0 on staging was aborted at its 10% step and never promoted: analysis inconclusive after .* at the 10% step: 2 inconclusive measurement\(s\), more than inconclusive-limit 1; neither success-condition \(result\.latency < 100\) nor failure-condition \(result\.latency > 500\) held; .*1\.0\.0 serves all traffic again$/)
    const [started] = r.of('rollback:started')
    expect(started).toMatchObject({ environment: 'staging', version: '2.0.0', evidence: { step: 10, measurements: { successful: 1, inconclusive: 2 } } })
    expect(r.of('analysis:finished')).toMatchObject([{ verdict: 'inconclusive', advisory: false, evidence: { step: 10 } }])
    expect(r.stage('deploy').outputs.outcome).toBe('rolled-back')
    const [record] = await store.listDeployments({ environment: 'staging' })
    expect(record).toMatchObject({ version: '2.0.0', outcome: 'rolled-back', verification: { evidence: { step: 10, condition: expect.stringContaining('neither success-condition') } } })
    expect(record!.verification!.evidence.samples.map((s) => s.values.latency)).toEqual([20, 200, 200])
    expect(await activeLatch(store, 'staging')).toMatchObject({ version: '2.0.0', runId: r.result.id, reason: expect.stringContaining('inconclusive after') })
    expect(running.monitors).toBe(0)
  }, 30_000)

  it('a canary the deployer ends on its own (a crashed instance) stops the step\'s analysis: no monitor left running, no verdict, no latch', async () => {
    project = await tempProject(pipeline(`{ window: 1m, monitors: [{ uses: series/values, with: { values: [{ errors: 0 }] } }] }`))
    let asked: Promise<unknown> | undefined
    const crashing: Deployer = {
      async deploy(request, options) {
        asked = options.onCanaryStep!({ weight: 10 })
        await new Promise((r) => setTimeout(r, 200))
        return { outcome: 'failed', version: request.version, strategy: 'canary', startedAt: Date.now(), finishedAt: Date.now(), servingVersion: '1.0.0', error: { code: 'PW_ERR_DEPLOYMENT_FAILED', message: 'instance staging-1 exited with code 1' } }
      },
      rollback: () => Promise.reject(new Error('not called')),
    }
    const store = createMemoryStore()
    const r = await runFile(project.file, {}, {}, createEngine({ plugins: [processTargetPlugin, series], services: [{ token: DEPLOYER, useValue: crashing }], store }))
    expect(r.result.status).toBe('failed')
    expect(r.stage('deploy').error).toMatchObject({ code: 'PW_ERR_DEPLOYMENT_FAILED', message: 'instance staging-1 exited with code 1' })
    await expect(asked).resolves.toEqual({ proceed: false, reason: 'the deploy ended before the verdict' })
    expect(running.monitors).toBe(0)
    expect(r.of('analysis:finished')).toEqual([])
    expect(r.of('rollback:started')).toEqual([])
    expect(await activeLatch(store, 'staging')).toBeUndefined()
  }, 30_000)

  it('advisory: a failed step is recorded and the canary goes on', async () => {
    const { reached, run: r, store } = await run(`{ count: 3, advisory: true, monitors: [{ uses: series/values, with: { values: [{ errors: 2 }] } }] }`)
    expect(r.result.status).toBe('succeeded')
    expect(reached).toEqual([10, 50, 100])
    expect(r.of('analysis:finished').map((a) => [a.verdict, a.advisory, a.evidence.step])).toEqual([['failed', true, 10], ['failed', true, 50]])
    expect(r.of('rollback:started')).toEqual([])
    expect(await activeLatch(store, 'staging')).toBeUndefined()
  }, 30_000)
})
