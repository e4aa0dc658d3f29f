import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { createEngine, createMemoryStore, type Engine } from '@pipewright/core'
import { definePlugin, type PipewrightEvent } from '@pipewright/plugin-api'
import { buildApp } from '../src/app.js'

const hello = definePlugin({
  id: 'hello',
  apiVersion: 1,
  register(api) {
    api.stage('greet', { run: (ctx) => ctx.logger.info(`hello from ${ctx.stageId}`) })
  },
})

let dir: string
let engine: Engine
let app: FastifyInstance
let base: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pw-embed-'))
  await writeFile(
    join(dir, 'deploy.yml'),
    'name: deploy\nstages:\n  greet:\n    uses: hello/greet\n  build:\n    needs: greet\n    run: echo "building ${{ vars.version }}"\n',
  )
  engine = createEngine({ plugins: [hello], store: createMemoryStore(), cwd: dir })
  app = buildApp({ engine, pipelinesDir: dir })
  // A real server on a free port; the tests talk HTTP to it like any client.
  base = await app.listen({ host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await app?.close()
  await engine?.close()
  await rm(dir, { recursive: true, force: true })
})

async function readNdjson(url: string): Promise<PipewrightEvent[]> {
  const response = await fetch(url)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toContain('application/x-ndjson')
  const text = await response.text()
  return text.trim().split('\n').map((line) => JSON.parse(line) as PipewrightEvent)
}

/** Reads an NDJSON body one event at a time, as the bytes arrive; `next()` is undefined at the end. */
function ndjsonStream(response: Response): { next(): Promise<PipewrightEvent | undefined> } {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffered = ''
  return {
    async next() {
      for (;;) {
        const newline = buffered.indexOf('\n')
        if (newline >= 0) {
          const line = buffered.slice(0, newline)
          buffered = buffered.slice(newline + 1)
          if (line.trim()) return JSON.parse(line) as PipewrightEvent
          continue
        }
        const { value, done } = await reader.read()
        if (done) return buffered.trim() ? (JSON.parse(buffered) as PipewrightEvent) : undefined
        buffered += value
      }
    },
  }
}

async function startRun(body: unknown): Promise<Response> {
  return fetch(`${base}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

describe('embedding the engine in Fastify', () => {
  it('starts a run from POST /runs and streams its events until it finishes', async () => {
    const response = await startRun({ pipeline: 'deploy.yml', vars: { version: '2.0.1' } })
    expect(response.status).toBe(202)
    const { id, events: eventsUrl } = (await response.json()) as { id: string; events: string }

    const events = await readNdjson(`${base}${eventsUrl}`)
    expect(events[0]).toMatchObject({ type: 'run:started', payload: { runId: id, pipeline: 'deploy' } })
    expect(events.at(-1)).toMatchObject({ type: 'run:finished', payload: { runId: id, status: 'succeeded' } })
    const lines = events.flatMap((e) => (e.type === 'stage:log' ? [`${e.payload.stageId}: ${e.payload.line}`] : []))
    expect(lines).toEqual(expect.arrayContaining([expect.stringContaining('greet: hello from greet'), 'build: building 2.0.1']))
    expect(events.filter((e) => e.type === 'stage:finished').map((e) => e.type === 'stage:finished' && e.payload.stageId)).toEqual(['greet', 'build'])

    // A client connecting after the end still gets the whole run, and the status is stored.
    expect((await readNdjson(`${base}${eventsUrl}`)).length).toBe(events.length)
    const status = await (await fetch(`${base}/runs/${id}`)).json()
    expect(status).toMatchObject({ id, status: 'succeeded', stages: expect.arrayContaining([expect.objectContaining({ id: 'build', status: 'succeeded' })]) })
  })

  it('streams events while the run is still going, not after it ends', async () => {
    // `hold` blocks until the test creates its release file, so anything read before that was sent live.
    await writeFile(
      join(dir, 'hold.yml'),
      'name: hold\nstages:\n  first:\n    run: echo "first done"\n  hold:\n    needs: first\n    timeout: 25s\n    run: echo waiting; while [ ! -e hold.release ]; do sleep 0.05; done; echo released\n',
    )
    const { id, events: eventsUrl } = (await (await startRun({ pipeline: 'hold.yml' })).json()) as { id: string; events: string }
    const response = await fetch(`${base}${eventsUrl}`)
    expect(response.headers.get('content-type')).toContain('application/x-ndjson')
    const stream = ndjsonStream(response)

    const before: PipewrightEvent[] = []
    for (let event = await stream.next(); event; event = await stream.next()) {
      before.push(event)
      if (event.type === 'stage:log' && event.payload.stageId === 'hold' && event.payload.line === 'waiting') break
    }
    expect(before).toContainEqual(expect.objectContaining({ type: 'stage:finished', payload: expect.objectContaining({ stageId: 'first', status: 'succeeded' }) }))
    expect(before.at(-1)).toMatchObject({ type: 'stage:log', payload: { runId: id, stageId: 'hold', line: 'waiting' } })
    // The proof of streaming: those events arrived while the run is still going. A server that
    // buffered the body would only have answered once `hold` timed out and the run had failed.
    expect(await (await fetch(`${base}/runs/${id}`)).json()).toMatchObject({ status: 'running', stages: expect.arrayContaining([expect.objectContaining({ id: 'hold', status: 'running' })]) })

    await writeFile(join(dir, 'hold.release'), '')
    const after: PipewrightEvent[] = []
    for (let event = await stream.next(); event; event = await stream.next()) after.push(event)
    expect(after).toContainEqual({ type: 'stage:log', payload: expect.objectContaining({ stageId: 'hold', line: 'released' }) })
    expect(after.at(-1)).toMatchObject({ type: 'run:finished', payload: { runId: id, status: 'succeeded' } })
  }, 60_000)

  it('refuses bad requests with Pipewright error codes', async () => {
    const invalid = await startRun({ file: 'deploy.yml' })
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toMatchObject({ code: 'PW_ERR_USAGE', problems: expect.arrayContaining([expect.objectContaining({ path: 'pipeline' })]) })

    const escape = await startRun({ pipeline: '../etc/passwd' })
    expect(escape.status).toBe(400)
    expect(await escape.json()).toMatchObject({ code: 'PW_ERR_PATH_ESCAPE' })

    const missing = await startRun({ pipeline: 'nope.yml' })
    expect(missing.status).toBeGreaterThanOrEqual(400)
    expect(((await missing.json()) as { code: string }).code).toMatch(/^PW_ERR_/)

    expect((await fetch(`${base}/runs/does-not-exist/events`)).status).toBe(404)
    expect((await fetch(`${base}/runs/does-not-exist`)).status).toBe(404)
  })
})
