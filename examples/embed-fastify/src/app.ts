import { resolve, sep } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Engine } from '@pipewright/core'
import { PipewrightError, isPipewrightError, z } from '@pipewright/plugin-api'
import { RunFeeds } from './run-feeds.js'

export interface AppOptions {
  engine: Engine
  /** Pipelines may only be started from files inside this directory. */
  pipelinesDir: string
  logger?: boolean
}

const startRunBody = z.strictObject({
  /** Pipeline file, relative to `pipelinesDir`. */
  pipeline: z.string().min(1),
  vars: z.record(z.string(), z.string()).optional(),
})

/** The HTTP API around an engine: POST /runs, GET /runs/:id, GET /runs/:id/events (NDJSON). */
export function buildApp(options: AppOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false })
  const feeds = new RunFeeds(options.engine)
  const root = resolve(options.pipelinesDir)

  app.setErrorHandler((error, _req, reply) => {
    if (isPipewrightError(error)) return reply.status(error.httpStatus).send(error.toJSON())
    const status = (error as { statusCode?: number }).statusCode ?? 500
    return reply.status(status).send({ code: status < 500 ? 'PW_ERR_USAGE' : 'PW_ERR_INTERNAL', message: (error as Error).message })
  })

  app.post('/runs', async (req, reply) => {
    const parsed = startRunBody.safeParse(req.body)
    if (!parsed.success) {
      throw new PipewrightError('PW_ERR_USAGE', 'POST /runs: invalid body', {
        details: 'Send JSON { "pipeline": "<file relative to the pipelines dir>", "vars": { ... } }.',
        problems: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      })
    }
    const file = resolve(root, parsed.data.pipeline)
    if (!file.startsWith(root + sep)) {
      throw new PipewrightError('PW_ERR_PATH_ESCAPE', `POST /runs: pipeline "${parsed.data.pipeline}" is outside the pipelines directory`)
    }
    const handle = await options.engine.run(file, { ...(parsed.data.vars ? { vars: parsed.data.vars } : {}), trigger: 'api' })
    // Nobody awaits the result here; keep a failing run from becoming an unhandled rejection.
    handle.result.catch((error: unknown) => app.log.error({ err: error, runId: handle.id }, 'run crashed'))
    return reply.status(202).send({ id: handle.id, events: `/runs/${handle.id}/events` })
  })

  app.get<{ Params: { id: string } }>('/runs/:id', async (req) => {
    // The read API: a run whose process died reads as `interrupted`, never as `running`.
    const run = await options.engine.runs.get(req.params.id)
    if (!run) throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${req.params.id} not found`)
    const stages = await options.engine.runs.stages(run.id)
    return { id: run.id, pipeline: run.pipeline, status: run.status, stages: stages.map((s) => ({ id: s.stageId, status: s.status, outputs: s.outputs })) }
  })

  app.get<{ Params: { id: string } }>('/runs/:id/events', async (req, reply) => {
    const { id } = req.params
    if (!feeds.has(id) && !options.engine.runs.live(id)) {
      // Not run by this process (or long ago): replay the store's journal, then end.
      const stored = await options.engine.runs.events(id)
      if (stored.length === 0) throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${id} not found`)
      reply.header('content-type', 'application/x-ndjson')
      return stored.map((e) => JSON.stringify({ type: e.type, payload: e.payload })).join('\n') + '\n'
    }
    reply.hijack()
    reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' })
    const stop = feeds.follow(
      id,
      (event) => reply.raw.write(`${JSON.stringify(event)}\n`),
      () => reply.raw.end(),
    )
    req.raw.on('close', stop)
  })

  return app
}
