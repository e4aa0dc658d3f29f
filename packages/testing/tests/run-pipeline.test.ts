import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AssertionError } from 'node:assert'
import { afterEach, describe, expect, it } from 'vitest'
import { CLOCK, definePlugin, z } from '@pipewright/plugin-api'
import { createFakeClock, assertRunStatus, expectStage, getGateVerdict, runPipeline, type PipelineRun } from '../src/index.js'

// A small plugin written for these tests: one stage that counts lines of a file, one gate on it.
const counter = definePlugin({
  id: 'counter',
  apiVersion: 1,
  register(api) {
    api.stage('lines', {
      configSchema: z.strictObject({ file: z.string() }),
      async run(ctx, config) {
        const text = await readFile(join(ctx.workspace, config.file), 'utf8')
        const count = text.split('\n').filter(Boolean).length
        ctx.logger.info(`counted ${count} lines in ${config.file}`)
        ctx.outputs.set('count', count)
      },
    })
    api.stage('wait', {
      configSchema: z.strictObject({ ms: z.number() }),
      async run(ctx, config) {
        const clock = ctx.resolve(CLOCK)
        await clock.sleep(config.ms, ctx.signal)
        ctx.outputs.set('woke', clock.now())
      },
    })
    api.gate('at-most', {
      configSchema: z.strictObject({ max: z.number() }),
      evaluate(ctx, config) {
        const count = Number(ctx.stage.outputs.count)
        return { verdict: count <= config.max ? 'pass' : 'fail', reason: `${count} lines, limit ${config.max}`, evidence: { count } }
      },
    })
  },
})

let run: PipelineRun | undefined
afterEach(async () => {
  await run?.cleanup()
  run = undefined
})

describe('runPipeline', () => {
  it('runs plugin stages and gates on the real engine, with files in a temp dir', async () => {
    run = await runPipeline({
      plugins: [counter],
      files: { 'data/list.txt': 'a\nb\nc\n' },
      pipeline: {
        name: 'count',
        stages: {
          count: { uses: 'counter/lines', with: { file: 'data/list.txt' }, gates: [{ uses: 'counter/at-most', with: { max: 5 } }] },
          after: { needs: 'count', run: 'echo "count was ${{ stages.count.outputs.count }}"' },
        },
      },
    })
    assertRunStatus(run, 'succeeded')
    expectStage(run, 'count').toHaveStatus('succeeded').toHaveOutput('count', '3').toHaveLogged('counted 3 lines').toHaveGate('counter/at-most', 'pass')
    expectStage(run, 'after').toHaveStatus('succeeded').toHaveLogged('count was 3')
    expect(getGateVerdict(run, 'count', 'counter/at-most')).toMatchObject({ evidence: { count: 3 } })
    expect(run.eventsOf('run:finished')).toMatchObject([{ status: 'succeeded' }])
    expect(await readFile(join(run.dir, 'data/list.txt'), 'utf8')).toBe('a\nb\nc\n')
  })

  it('reports a failing gate and explains a wrong status with the stage error', async () => {
    run = await runPipeline({
      plugins: [counter],
      files: { 'list.txt': '1\n2\n3\n' },
      pipeline: { name: 'count', stages: { count: { uses: 'counter/lines', with: { file: 'list.txt' }, gates: [{ uses: 'counter/at-most', with: { max: 2 } }] } } },
    })
    expectStage(run, 'count').toHaveStatus('failed').toHaveGate('counter/at-most', 'fail')
    expect(run.result.status).toBe('failed')
    expect(() => expectStage(run!, 'count').toHaveStatus('succeeded')).toThrow(AssertionError)
    expect(() => expectStage(run!, 'count').toHaveStatus('succeeded')).toThrow(/stage count is failed, expected succeeded/)
    expect(() => assertRunStatus(run!, 'succeeded')).toThrow(/count: failed/)
    expect(() => run!.stage('nope')).toThrow(/has no stage "nope"/)
  })

  it('passes vars, secrets and env, and redacts secrets from logs', async () => {
    run = await runPipeline({
      pipeline: `
name: secrets
secrets: [API_TOKEN]
stages:
  show:
    run: echo "deploying \${{ vars.version }} to $TARGET with $TOKEN"
    env:
      TOKEN: \${{ secrets.API_TOKEN }}
`,
      vars: { version: '1.2.3' },
      secrets: { API_TOKEN: 'tok-9f8e7d6c' },
      env: { TARGET: 'staging' },
    })
    expectStage(run, 'show').toHaveStatus('succeeded').toHaveLogged('deploying 1.2.3 to staging with').notToHaveLogged('tok-9f8e7d6c')
  })

  it('makes the directory a git repository on request', async () => {
    run = await runPipeline({ git: true, files: { 'README.md': '# x\n' }, pipeline: { name: 'git', stages: { log: { run: 'git log --format=%s' } } } })
    expectStage(run, 'log').toHaveStatus('succeeded').toHaveLogged('initial commit')
  })

  it('gives plugins the fake clock, so an hour-long wait takes no time', async () => {
    const clock = createFakeClock({ start: 0, auto: true })
    run = await runPipeline({ plugins: [counter], clock, pipeline: { name: 'wait', stages: { wait: { uses: 'counter/wait', with: { ms: 3_600_000 } } } } })
    expectStage(run, 'wait').toHaveStatus('succeeded').toHaveOutput('woke', '3600000')
  })

  it('rejects an invalid pipeline with the engine error, and cleans up', async () => {
    await expect(runPipeline({ pipeline: { name: 'bad', stages: { x: { uses: 'counter/lines' } } }, plugins: [counter] })).rejects.toMatchObject({
      code: expect.stringMatching(/^PW_ERR_(CONFIG_INVALID|PLUGIN_CONFIG)$/),
    })
  })
})
