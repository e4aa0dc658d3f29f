import fastifySwagger from '@fastify/swagger'
import type { Engine, WatchHost } from '@pipewright/core'
import { registerDashboard } from '@pipewright/dashboard'
import { PipewrightError } from '@pipewright/plugin-api'
import Fastify, { type FastifyInstance } from 'fastify'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { installAuth } from './auth.js'
import type { RegisteredPipeline, ServerContext } from './context.js'
import { installErrorHandler } from './errors.js'
import type { Forge } from './forges.js'
import { createMetrics } from './metrics.js'
import { registerHooks } from './routes/hooks.js'
import { createScheduler, type Scheduler } from './scheduler.js'
import { registerActions } from './routes/actions.js'
import { registerEnvironments } from './routes/environments.js'
import { registerEvents } from './routes/events.js'
import { registerInsight } from './routes/insight.js'
import { registerOutputs } from './routes/outputs.js'
import { startWatches, type ServerWatchOptions } from './watches.js'
import { meRoute, registerRunReads } from './routes/runs.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

export interface ServerOptions {
  engine: Engine
  /** Pipeline files the server may run (`pipewright serve -f <file>...`). */
  pipelines?: string[]
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413 unread. */
  bodyLimit?: number
  /** Fastify's request log (default off). */
  logger?: boolean
  now?: () => number
  /** Webhook secrets by forge (`POST /hooks/<forge>`); a forge without one refuses every delivery. */
  webhookSecrets?: Partial<Record<Forge, string>>
  /** How often schedules are checked (default 15 s); `false`: no schedules. */
  scheduleIntervalMs?: number | false
  /** Hosting the registered pipelines' environment `monitors:` (default on, 30 s leases); `false`: none. */
  watches?: ServerWatchOptions | false
}

export interface PipewrightServer {
  app: FastifyInstance
  context: ServerContext
  /** Checks `on: schedule` (undefined when schedules are off). */
  scheduler?: Scheduler
  /** The environment watches this server hosts (undefined before `listen` or when off). */
  watches?: WatchHost
  /** Starts listening; resolves to the base URL (`http://127.0.0.1:8080`). */
  listen(options?: { host?: string; port?: number }): Promise<string>
  close(): Promise<void>
}

async function registerPipelines(engine: Engine, files: string[]): Promise<Map<string, RegisteredPipeline>> {
  const pipelines = new Map<string, RegisteredPipeline>()
  for (const file of files) {
    const loaded = await engine.load(file)
    const existing = pipelines.get(loaded.spec.name)
    if (existing && existing.file !== file) {
      throw new PipewrightError('PW_ERR_USAGE', `Two pipelines are named ${loaded.spec.name}: ${existing.file} and ${file}`, { details: 'Give each pipeline file its own `name:`.' })
    }
    pipelines.set(loaded.spec.name, { name: loaded.spec.name, file, dir: loaded.dir ?? dirname(file) })
  }
  return pipelines
}

/** The server around an engine: the HTTP API (see docs/server.md), not yet listening. */
export async function createServer(options: ServerOptions): Promise<PipewrightServer> {
  const now = options.now ?? Date.now
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 1024 * 1024, forceCloseConnections: true })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  const running = new Set<Promise<unknown>>()
  const context: ServerContext = {
    engine: options.engine,
    store: options.engine.store,
    pipelines: await registerPipelines(options.engine, options.pipelines ?? []),
    now,
    metrics: createMetrics(options.engine, options.engine.store),
    track(handle) {
      const done = handle.result.catch((error: unknown) => app.log.error({ err: error, runId: handle.id }, 'run failed to finish')).finally(() => running.delete(done))
      running.add(done)
    },
  }
  installErrorHandler(app)
  installAuth(app, context.store, now)
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Pipewright server API', version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  })
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok', version }))
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', context.metrics.registry.contentType)
    return context.metrics.registry.metrics()
  })
  await registerHooks(app, context, { secrets: options.webhookSecrets ?? {}, bodyLimit: options.bodyLimit ?? 1024 * 1024 })
  meRoute(app)
  registerRunReads(app, context)
  registerActions(app, context)
  registerOutputs(app, context)
  registerEvents(app, context)
  registerEnvironments(app, context)
  registerInsight(app, context)
  // The dashboard's static files at / and /assets/* (no token needed for them; the page signs in).
  await registerDashboard(app)

  let scheduler: Scheduler | undefined
  let watches: WatchHost | undefined
  return {
    app,
    context,
    get scheduler() {
      return scheduler
    },
    get watches() {
      return watches
    },
    async listen(listen = {}) {
      await app.listen({ host: listen.host ?? '127.0.0.1', port: listen.port ?? 8080 })
      if (options.scheduleIntervalMs !== false) {
        scheduler = createScheduler(context, { intervalMs: options.scheduleIntervalMs ?? 15_000 })
        // Catch up a missed slot at once, not one interval later.
        void scheduler.tick().catch((error: unknown) => app.log.error({ err: error }, 'schedule check failed'))
      }
      if (options.watches !== false) watches = startWatches(context, options.watches ?? {}, (line) => app.log.info(line))
      const address = app.server.address()
      if (address === null || typeof address === 'string') return String(address)
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
      return `http://${host}:${address.port}`
    },
    async close() {
      scheduler?.stop()
      await watches?.close()
      context.metrics.stop()
      await app.close()
      await Promise.allSettled([...running])
    },
  }
}
