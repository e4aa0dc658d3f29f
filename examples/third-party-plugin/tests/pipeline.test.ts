import { afterEach, describe, expect, it } from 'vitest'
import { createFakeClock, expectStage, runPipeline, type PipelineRun } from '@pipewright/testing'
import httpCheck from '../src/index.js'
import { startServer, type TestServer } from './http-server.js'

let server: TestServer | undefined
let run: PipelineRun | undefined
afterEach(async () => {
  await run?.cleanup()
  await server?.close()
  run = server = undefined
})

describe('pipewright-plugin-http-check in a pipeline', () => {
  it('waits for a service started by an earlier stage, then gates on its latency', async () => {
    server = await startServer((req, res, n) => {
      res.statusCode = n < 2 ? 503 : 200
      res.end(req.headers['x-team'] === 'payments' ? 'ready' : 'who?')
    })
    run = await runPipeline({
      plugins: [{ package: httpCheck, config: { headers: { 'x-team': 'payments' } } }],
      clock: createFakeClock({ auto: true }),
      pipeline: {
        name: 'smoke',
        stages: {
          up: {
            uses: 'http-check/probe',
            with: { url: `${server.url}/health`, contains: 'ready', interval: '10s', timeout: '5m' },
            gates: [{ uses: 'http-check/max-latency', with: { max: '20s', samples: 2 } }],
          },
          report: { needs: 'up', run: 'echo "up after ${{ stages.up.outputs.attempts }} attempts"' },
        },
      },
    })
    expectStage(run, 'up').toHaveStatus('succeeded').toHaveOutput('status', '200').toHaveOutput('attempts', '2').toHaveGate('http-check/max-latency', 'pass')
    expectStage(run, 'report').toHaveLogged('up after 2 attempts')
    expect(server.requests).toEqual(['GET /health', 'GET /health', 'GET /health', 'GET /health'])
  })

  it('reports every invalid option before anything runs', async () => {
    await expect(
      runPipeline({ plugins: [httpCheck], pipeline: { name: 'bad', stages: { up: { uses: 'http-check/probe', with: { url: 'not a url', interval: 'often' } } } } }),
    ).rejects.toMatchObject({ problems: expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('url') }), expect.objectContaining({ path: expect.stringContaining('interval') })]) })
  })
})
