import { AssertionError } from 'node:assert'
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { definePlugin, z } from '@pipewright/plugin-api'
import { expectEvent, expectNoEvent, expectStage, runPipeline, type PipelineRun } from '../src/index.js'

declare module '@pipewright/plugin-api' {
  interface PipewrightEvents {
    'beacon:sent': { runId: string; stageId: string; channel: string; count: number }
  }
}

// Plugin files written as a user's project would hold them: an installed package (no build step,
// plain ESM) and a local file. They carry the plugin brand that definePlugin() sets, because a
// package in a temp node_modules cannot import the workspace's @pipewright/plugin-api.
const pluginSource = (id: string, greeting: string) => `export default {
  id: '${id}',
  apiVersion: 1,
  register(api) {
    api.stage('hello', { run: (ctx) => { ctx.logger.info('${greeting} from ' + ctx.stageId); ctx.outputs.set('from', '${id}') } })
  },
  [Symbol.for('pipewright.plugin')]: true,
}
`

const repoRoot = resolve(import.meta.dirname, '../../..')

let project: string
beforeAll(async () => {
  project = await realpath(await mkdtemp(join(tmpdir(), 'pw-kit-project-')))
  await mkdir(join(project, 'node_modules/pw-plugin-good'), { recursive: true })
  await writeFile(join(project, 'node_modules/pw-plugin-good/package.json'), JSON.stringify({ name: 'pw-plugin-good', version: '1.2.3', type: 'module', exports: { '.': './index.js' } }))
  await writeFile(join(project, 'node_modules/pw-plugin-good/index.js'), pluginSource('good', 'installed'))
  await mkdir(join(project, 'plugins'))
  await writeFile(join(project, 'plugins/plugin-local.mjs'), pluginSource('local', 'local'))
})
afterAll(() => rm(project, { recursive: true, force: true }))

let run: PipelineRun | undefined
afterEach(async () => {
  await run?.cleanup()
  run = undefined
})

describe('runPipeline plugin resolution', () => {
  it('loads a plugin package by name and a plugin file by relative path from `cwd`', async () => {
    run = await runPipeline({
      cwd: project,
      plugins: ['pw-plugin-good', './plugins/plugin-local.mjs'],
      pipeline: { name: 'resolve', stages: { a: { uses: 'good/hello' }, b: { uses: 'local/hello' } } },
    })
    expectStage(run, 'a').toHaveStatus('succeeded').toHaveOutput('from', 'good').toHaveLogged('installed from a')
    expectStage(run, 'b').toHaveStatus('succeeded').toHaveOutput('from', 'local').toHaveLogged('local from b')
  })

  it('resolves relative paths from process.cwd() by default, not from the run directory', async () => {
    // Inside the workspace (gitignored .tmp/), so the relative path cannot also be valid from /tmp.
    await mkdir(join(repoRoot, '.tmp'), { recursive: true })
    const local = await mkdtemp(join(repoRoot, '.tmp/kit-plugin-'))
    try {
      await writeFile(join(local, 'plugin-local.mjs'), pluginSource('local', 'local'))
      run = await runPipeline({ plugins: [`./${relative(process.cwd(), join(local, 'plugin-local.mjs'))}`], pipeline: { name: 'default-cwd', stages: { b: { uses: 'local/hello' } } } })
      expectStage(run, 'b').toHaveStatus('succeeded').toHaveOutput('from', 'local')
    } finally {
      await rm(local, { recursive: true, force: true })
    }
  })

  it('names the directory it searched when a package is missing', async () => {
    await expect(runPipeline({ cwd: project, plugins: ['pw-plugin-missing'], pipeline: { name: 'x', stages: { a: { run: 'true' } } } })).rejects.toMatchObject({
      code: 'PW_ERR_PLUGIN_NOT_FOUND',
      message: expect.stringContaining(`from ${project} upwards`),
    })
  })
})

const beacon = definePlugin({
  id: 'beacon',
  apiVersion: 1,
  register(api) {
    api.stage('send', {
      configSchema: z.strictObject({ channel: z.string() }),
      run(ctx, config) {
        ctx.emit('beacon:sent', { runId: ctx.runId, stageId: ctx.stageId, channel: config.channel, count: 1 })
        ctx.emit('beacon:sent', { runId: ctx.runId, stageId: ctx.stageId, channel: `${config.channel}-copy`, count: 2 })
      },
    })
  },
})

describe('runPipeline events', () => {
  it('records every event of the run, including those a plugin declares and emits', async () => {
    run = await runPipeline({ plugins: [beacon], pipeline: { name: 'events', stages: { ping: { uses: 'beacon/send', with: { channel: 'ops' } } } } })
    expect(run.eventsOf('beacon:sent')).toEqual([
      { runId: run.result.id, stageId: 'ping', channel: 'ops', count: 1, at: expect.any(Number) },
      { runId: run.result.id, stageId: 'ping', channel: 'ops-copy', count: 2, at: expect.any(Number) },
    ])
    const types = run.events.map((e) => e.type)
    // In the order they happened: the plugin's events between the stage's start and finish.
    expect(types.indexOf('beacon:sent')).toBeGreaterThan(types.indexOf('stage:started'))
    expect(types.indexOf('beacon:sent')).toBeLessThan(types.indexOf('stage:finished'))
    expect(types.at(-1)).toBe('run:finished')
  })

  it('expectEvent finds a payload by partial match and explains a miss', async () => {
    run = await runPipeline({ plugins: [beacon], pipeline: { name: 'events', stages: { ping: { uses: 'beacon/send', with: { channel: 'ops' } } } } })
    expect(expectEvent(run, 'beacon:sent', { channel: /-copy$/ })).toMatchObject({ count: 2 })
    expect(expectEvent(run, 'beacon:sent')).toMatchObject({ count: 1 })
    expectEvent(run, 'run:finished', { status: 'succeeded' })
    expectNoEvent(run, 'stage:retrying')
    expectNoEvent(run, 'beacon:sent', { channel: 'dev' })

    expect(() => expectEvent(run!, 'beacon:sent', { channel: 'dev' })).toThrow(AssertionError)
    expect(() => expectEvent(run!, 'beacon:sent', { channel: 'dev' })).toThrow(/no beacon:sent event matching \{"channel":"dev"\}; its beacon:sent events were:\n.*"channel":"ops"/)
    expect(() => expectEvent(run!, 'gate:evaluated')).toThrow(/emitted no gate:evaluated event; its events were: run:started, .*beacon:sent/)
    expect(() => expectNoEvent(run!, 'beacon:sent', { count: 2 })).toThrow(/emitted beacon:sent .*"ops-copy"/)
  })
})
