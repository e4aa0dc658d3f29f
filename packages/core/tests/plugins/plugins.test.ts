import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PipewrightError } from '@pipewright/plugin-api'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'
import counter from './fixtures/plugin-counter.js'
import thrower from './fixtures/plugin-throws.js'
import dependent from './fixtures/plugin-needs-other.js'
import future from './fixtures/plugin-future-api.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const fixture = (name: string) => join(__dirname, 'fixtures', name)

async function errorOf(p: Promise<unknown>): Promise<PipewrightError> {
  const e = await p.then(() => undefined, (error: unknown) => error)
  expect(e).toBeInstanceOf(PipewrightError)
  return e as PipewrightError
}

describe('plugin host', () => {
  it('runs plugin stages and gates with config, DI services, outputs, records and summaries', async () => {
    project = await tempProject(`
name: plugins
stages:
  small:
    uses: counter/count
    with: { times: 2 }
    gates: [{ uses: counter/at-most, with: { max: 5 } }]
  big:
    needs: [small]
    uses: counter/count
    with: { times: 10, label: "after \${{ stages.small.outputs.last }}" }
    gates: [{ uses: counter/at-most, with: { max: 5 } }]
`)
    const engine = createEngine({ plugins: [{ package: counter, config: { start: 100 } }] })
    const { stage, logs, events } = await runFile(project.file, {}, {}, engine)
    expect(stage('small')).toMatchObject({ status: 'failed', outputs: { last: '102' } })
    expect(stage('small').error?.code).toBe('PW_ERR_GATE_FAILED')
    // The result carries what the stage reported, so a caller can say why it failed.
    expect(stage('small').summary).toBe('counted to 102')
    const gate = events.find((e) => e.type === 'gate:evaluated')?.payload as { verdict: string; evidence: unknown }
    expect(gate).toMatchObject({ verdict: 'fail', evidence: { last: 102, saved: { last: 102 } } })
    expect(logs('small')).toContain('count reached 102')
    expect(stage('big').status).toBe('skipped')
  })

  it('passes a gate and stores the summary', async () => {
    project = await tempProject(`
name: plugins-pass
stages:
  one: { uses: counter/count, with: { times: 1 }, gates: [{ uses: counter/at-most, with: { max: 5 } }] }
`)
    const engine = createEngine({ plugins: [counter] })
    const { stage } = await runFile(project.file, {}, {}, engine)
    expect(stage('one')).toMatchObject({ status: 'succeeded', outputs: { last: '1' }, summary: 'counted to 1' })
    const [run] = await engine.store.listRuns()
    const [stageRecord] = await engine.store.getStages(run!.id)
    expect(stageRecord).toMatchObject({ summary: 'counted to 1', gates: [{ gate: 'counter/at-most', verdict: 'pass' }] })
  })

  it('wraps a plugin error so it names the plugin and the hook', async () => {
    project = await tempProject('name: t\nstages:\n  x: { uses: thrower/boom }\n')
    const { stage } = await runFile(project.file, {}, { plugins: [thrower] })
    expect(stage('x').error).toMatchObject({ code: 'PW_ERR_PLUGIN_HOOK', message: 'Plugin thrower failed in stage thrower/boom: kaboom' })
  })

  it('loads plugins declared in the pipeline file by path', async () => {
    project = await tempProject(`
name: declared
plugins: ["${fixture('plugin-counter.ts')}"]
stages:
  c: { uses: counter/count, with: { times: 3 } }
`)
    const { stage } = await runFile(project.file)
    expect(stage('c').outputs.last).toBe('3')
  })

  it('rejects invalid plugin configuration with the path of each problem', async () => {
    const engine = createEngine({ plugins: [{ package: counter, config: { start: 'ten' } }] })
    const e = await errorOf(engine.plugins())
    expect(e.code).toBe('PW_ERR_PLUGIN_CONFIG')
    expect(e.problems[0]?.path).toBe('plugins.counter.config.start')
  })

  it('points plugin configuration problems at their place in the pipeline file', async () => {
    // The unusable first entry still counts: the problem is at plugins.1, as in the file.
    project = await tempProject(`name: cfg
plugins:
  - 42
  - package: "${fixture('plugin-counter.ts')}"
    config:
      start: ten
stages:
  c: { uses: counter/count, with: { times: 1 } }
`)
    const e = await errorOf(createEngine().load(project.file))
    expect(e.code).toBe('PW_ERR_PLUGIN_CONFIG')
    expect(e.problems[0]).toMatchObject({ path: 'plugins.1.config.start', file: project.file, line: 6, column: 7 })
  })

  it('refuses an incompatible apiVersion, naming what it needs and what is present', async () => {
    const e = await errorOf(createEngine({ plugins: [future] }).plugins())
    expect(e.code).toBe('PW_ERR_PLUGIN_INCOMPATIBLE')
    expect(e.message).toMatch(/future.*apiVersion 2.*@pipewright\/plugin-api \d+\.\d+\.\d+ \(apiVersion 1\)/)
  })

  it('refuses duplicate ids and missing dependencies', async () => {
    const dup = { ...counter }
    expect((await errorOf(createEngine({ plugins: [counter, Object.freeze(dup)] }).plugins())).code).toBe('PW_ERR_PLUGIN_DUPLICATE')
    expect((await errorOf(createEngine({ plugins: [dependent] }).plugins())).code).toBe('PW_ERR_PLUGIN_DEPENDENCY')
    const both = await createEngine({ plugins: [dependent, counter] }).plugins()
    expect(both.map((p) => p.id)).toEqual(['counter', 'dependent'])
  })

  it('names a missing package and a non-plugin module', async () => {
    const missing = await errorOf(createEngine({ plugins: ['pipewright-plugin-does-not-exist'] }).plugins())
    expect(missing.code).toBe('PW_ERR_PLUGIN_NOT_FOUND')
    expect(missing.details).toContain('npm install pipewright-plugin-does-not-exist')
    const notPlugin = await errorOf(createEngine({ plugins: [fixture('not-a-plugin.ts')] }).plugins())
    expect(notPlugin.code).toBe('PW_ERR_PLUGIN_INVALID')
    expect(notPlugin.message).toContain('not-a-plugin.ts does not export a Pipewright plugin')
    const throws = await errorOf(createEngine({ plugins: [fixture('plugin-import-throws.ts')] }).plugins())
    expect(throws.code).toBe('PW_ERR_PLUGIN_INVALID')
    expect(throws.message).toMatch(/plugin-import-throws\.ts failed to load from .*: cannot initialise the SDK/)
  })

  it('uses a built-in plugin when a pipeline lists its package by name, and refuses to reconfigure it', async () => {
    project = await tempProject('name: builtin\nplugins: [pipewright-plugin-counter]\nstages:\n  c: { uses: counter/count, with: { times: 2 } }\n')
    const engine = createEngine({ plugins: [{ package: counter, name: 'pipewright-plugin-counter' }] })
    const { stage } = await runFile(project.file, {}, {}, engine)
    expect(stage('c').outputs.last).toBe('2')
    expect((await engine.plugins()).find((p) => p.id === 'counter')).toMatchObject({ source: 'pipewright-plugin-counter', builtIn: true })
    await project.cleanup()
    project = await tempProject('name: builtin\nplugins: [{ package: pipewright-plugin-counter, config: { start: 5 } }]\nstages:\n  c: { uses: counter/count, with: { times: 2 } }\n')
    const e = await errorOf(createEngine({ plugins: [{ package: counter, name: 'pipewright-plugin-counter' }] }).load(project.file))
    expect(e.code).toBe('PW_ERR_PLUGIN_CONFIG')
    expect(e.message).toContain('pipewright-plugin-counter is built in')
  })

  it('reports an unknown uses with a suggestion before running anything', async () => {
    project = await tempProject('name: t\nstages:\n  x: { uses: counter/cuont }\n')
    const engine = createEngine({ plugins: [counter] })
    const problems = await engine.validate(project.file)
    expect(problems.map((p) => p.message).join('\n')).toMatch(/counter\/count/)
    expect(await engine.store.listRuns()).toHaveLength(0)
  })
})
