import { afterEach, describe, expect, it } from 'vitest'
import { definePlugin, type AttemptOutcome, type StageOutcome } from '@pipewright/plugin-api'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

/** A gate that records when it judged, so its place among the hooks shows. */
function judge(calls: string[]) {
  return definePlugin({
    id: 'judge',
    apiVersion: 1,
    register(api) {
      api.gate('ok', { evaluate: (ctx) => (calls.push(`gate:${ctx.stageId}`), { verdict: 'pass', reason: 'fine' }) })
    },
  })
}

describe('stage lifecycle hooks', () => {
  it('calls each step in its documented order: pre hooks, the built-ins, post hooks, the late built-ins', async () => {
    const calls: string[] = []
    const observer = definePlugin({
      id: 'observer',
      apiVersion: 1,
      register(api) {
        const log = (what: string) => (ctx: { stageId: string }) => void calls.push(`${what}:${ctx.stageId}`)
        api.hooks({ prepare: log('pre.prepare'), verify: log('pre.verify'), afterAttempt: log('pre.afterAttempt'), afterStage: log('pre.afterStage') }, { order: 'pre' })
        api.hooks({
          prepare: log('prepare'),
          afterAttempt: (ctx, outcome) => void calls.push(`afterAttempt:${ctx.stageId}:${outcome.ok}`),
          verify: (ctx) => void calls.push(`verify:${ctx.stageId}:artifacts=${ctx.artifacts.list().length}`),
          afterStage: (ctx, outcome) => void calls.push(`afterStage:${ctx.stageId}:${outcome.status}`),
          runFinished: (_ctx, run) => void calls.push(`runFinished:${run.status}:${run.stages.map((s) => s.id).join(',')}`),
        })
      },
    })
    project = await tempProject(
      `
name: order
stages:
  build:
    run: echo built > out.txt
    artifacts: [out.txt]
    gates: [{ uses: judge/ok }]
`,
    )
    const engine = createEngine({ plugins: [judge(calls), observer] })
    engine.on('stage:started', (p) => calls.push(`attempt:${p.stageId}`))
    engine.on('artifact:stored', (p) => calls.push(`artifact:${p.path}`))
    const run = await runFile(project.file, {}, {}, engine)
    expect(run.result.status).toBe('succeeded')
    expect(calls).toEqual([
      'pre.prepare:build',
      'prepare:build',
      'attempt:build',
      'pre.afterAttempt:build',
      'afterAttempt:build:true',
      'pre.verify:build',
      'artifact:out.txt',
      'gate:build',
      'verify:build:artifacts=1',
      'pre.afterStage:build',
      'afterStage:build:succeeded',
      'runFinished:succeeded:build',
    ])
  })

  it('lets a hook observe every stage, and another change a stage\'s result', async () => {
    const seen: Array<{ stage: string; outcome: StageOutcome }> = []
    const attempts: AttemptOutcome[] = []
    const policy = definePlugin({
      id: 'policy',
      apiVersion: 1,
      register(api) {
        api.hooks({
          // A known, harmless exit code is not a failure here.
          afterAttempt: (ctx, outcome) => {
            attempts.push(outcome)
            if (ctx.stage.spec.run === 'exit 3') return { outcome: { ok: true, exitCode: outcome.exitCode } }
          },
          // A stage may not succeed without a summary.
          afterStage: (ctx, outcome) => {
            if (ctx.stageId === 'quiet' && outcome.status === 'succeeded') return { outcome: { status: 'failed', error: { code: 'PW_ERR_POLICY_SUMMARY', message: 'quiet succeeded without a summary' } } }
          },
        })
      },
    })
    const observer = definePlugin({
      id: 'watcher',
      apiVersion: 1,
      register(api) {
        api.hooks({ afterStage: (ctx, outcome) => void seen.push({ stage: ctx.stageId, outcome }) })
      },
    })
    project = await tempProject(`
name: change
stages:
  tolerated: { run: exit 3 }
  quiet: { run: "true" }
  broken: { run: exit 1 }
`)
    const run = await runFile(project.file, { concurrency: 1 }, { plugins: [policy, observer] })
    expect(run.stage('tolerated')).toMatchObject({ status: 'succeeded', exitCode: 3 })
    expect(run.stage('quiet')).toMatchObject({ status: 'failed', error: { code: 'PW_ERR_POLICY_SUMMARY', message: 'quiet succeeded without a summary' } })
    expect(run.stage('broken')).toMatchObject({ status: 'failed', error: { code: 'PW_ERR_STAGE_FAILED' } })
    expect(attempts.map((a) => a.exitCode)).toEqual([3, 0, 1])
    // The observer runs after the policy (load order), so it sees the changed outcome.
    expect(seen).toEqual([
      { stage: 'tolerated', outcome: { status: 'succeeded' } },
      { stage: 'quiet', outcome: { status: 'failed', error: { code: 'PW_ERR_POLICY_SUMMARY', message: 'quiet succeeded without a summary' } } },
      { stage: 'broken', outcome: { status: 'failed', error: expect.objectContaining({ code: 'PW_ERR_STAGE_FAILED' }) } },
    ])
    expect(run.result.status).toBe('failed')
  })

  it('lets prepare skip or fail a stage before it runs, and retries after a plugin\'s afterAttempt', async () => {
    const guard = definePlugin({
      id: 'guard',
      apiVersion: 1,
      register(api) {
        api.hooks({
          prepare: (ctx) => {
            if (ctx.stageId === 'docs') return { skip: 'docs did not change' }
            if (ctx.stageId === 'forbidden') return { fail: 'forbidden on Fridays' }
          },
        })
      },
    })
    project = await tempProject(`
name: guarded
stages:
  docs: { run: "touch docs-ran" }
  forbidden: { run: "touch forbidden-ran" }
  flaky:
    run: 'n=$(cat n 2>/dev/null || echo 0); echo $((n+1)) > n; [ "$n" -ge 1 ]'
    retry: 2
`)
    const run = await runFile(project.file, {}, { plugins: [guard] })
    expect(run.stage('docs').status).toBe('skipped')
    expect(run.stage('forbidden')).toMatchObject({ status: 'failed', error: { message: 'forbidden on Fridays', plugin: 'guard' } })
    expect(run.stage('flaky')).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(run.logs('docs')).toContain('skipped by plugin guard: docs did not change')
    const { existsSync } = await import('node:fs')
    expect(existsSync(`${project.dir}/docs-ran`)).toBe(false)
    expect(existsSync(`${project.dir}/forbidden-ran`)).toBe(false)
  })

  it('fails the stage, naming the plugin and the hook, when a hook throws', async () => {
    const buggy = definePlugin({
      id: 'buggy',
      apiVersion: 1,
      register(api) {
        api.hooks({ verify: () => { throw new TypeError('cannot read properties of undefined') } })
      },
    })
    project = await tempProject('name: buggy\nstages:\n  a: { run: "true" }\n')
    const run = await runFile(project.file, {}, { plugins: [buggy] })
    expect(run.stage('a')).toMatchObject({ status: 'failed', error: { code: 'PW_ERR_PLUGIN_HOOK', message: 'Plugin buggy failed in hook verify: cannot read properties of undefined', plugin: 'buggy' } })
  })
})
