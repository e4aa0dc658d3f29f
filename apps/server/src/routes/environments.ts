import { WATCH_LEASE_SCOPE, ackEnvironment, deploymentPipeline, describeEnvironments, type DeploymentAction } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { actorOf } from '../auth.js'
import type { RegisteredPipeline, ServerContext } from '../context.js'
import { acceptedSchema, deployBodySchema, deploymentSchema, envParams, environmentSchema, rollbackBodySchema } from '../schemas.js'

/** The registered pipeline that declares an environment (the first, when several do). */
async function owner(ctx: ServerContext, name: string): Promise<RegisteredPipeline> {
  for (const pipeline of ctx.pipelines.values()) {
    const loaded = await ctx.engine.load(pipeline.file)
    if (loaded.spec.environments?.[name]) return pipeline
  }
  const names = (await Promise.all([...ctx.pipelines.values()].map(async (p) => Object.keys((await ctx.engine.load(p.file)).spec.environments ?? {})))).flat()
  throw new PipewrightError('PW_ERR_ENVIRONMENT_NOT_FOUND', `No registered pipeline declares an environment "${name}"`, { details: names.length ? `Environments: ${names.join(', ')}.` : 'Declare environments under `environments:` in a pipeline file the server runs.' })
}

type Overview = Awaited<ReturnType<typeof describeEnvironments>>[number]
type Health = NonNullable<z.infer<typeof environmentSchema>['health']>

/** An environment's health from its stored health history: the newest verdict or sample; else its last deployment's outcome. */
export function healthOf(env: Overview): Health | undefined {
  const { verdict } = env.health
  const [sample] = env.health.samples
  const record = verdict && (!sample || verdict.at >= sample.at) ? verdict : sample
  if (record) {
    return {
      status: record.healthy ? 'healthy' : 'unhealthy', at: record.at, source: record.source, kind: record.kind,
      ...(record.reason ? { reason: record.reason } : {}),
      ...(record.verdict ? { verdict: record.verdict } : {}),
      ...(record.monitor ? { monitor: record.monitor } : {}),
      ...(record.values ? { values: record.values } : {}),
      ...(record.runId ? { runId: record.runId } : {}),
    }
  }
  if (!env.last) return undefined
  return { status: env.last.outcome === 'succeeded' ? 'healthy' : env.last.outcome, at: env.last.finishedAt, source: 'deployment', kind: 'deployment', ...(env.last.runId ? { runId: env.last.runId } : {}) }
}

function latchOf(env: Overview): z.infer<typeof environmentSchema>['latch'] {
  const l = env.latch
  if (!l) return undefined
  return {
    active: !l.ack, reason: l.reason, latchedAt: l.latchedAt,
    ...(l.runId ? { runId: l.runId } : {}), ...(l.stageId ? { stageId: l.stageId } : {}),
    ...(l.deploymentId ? { deploymentId: l.deploymentId } : {}), ...(l.version ? { version: l.version } : {}),
    ...(l.ack ? { ack: { by: l.ack.by, at: l.ack.at, ...(l.ack.comment ? { comment: l.ack.comment } : {}) } } : {}),
  }
}

async function overview(ctx: ServerContext) {
  const seen = new Set<string>()
  const watchers = new Map((await ctx.store.listLeases(WATCH_LEASE_SCOPE, ctx.now())).map((l) => [l.key, { holder: l.holder, since: l.acquiredAt, expiresAt: l.expiresAt }]))
  const out: Array<z.infer<typeof environmentSchema>> = []
  for (const pipeline of ctx.pipelines.values()) {
    const loaded = await ctx.engine.load(pipeline.file)
    for (const env of await describeEnvironments(ctx.store, loaded.spec)) {
      if (seen.has(env.name)) continue
      seen.add(env.name)
      const health = healthOf(env)
      const latch = latchOf(env)
      out.push({
        name: env.name, pipeline: pipeline.name, url: env.url,
        ...(env.current ? { current: { version: env.current.version, deploymentId: env.current.id, deployedAt: env.current.finishedAt } } : {}),
        ...(health ? { health } : {}),
        ...(watchers.has(env.name) ? { watcher: watchers.get(env.name)! } : {}),
        ...(latch ? { latch } : {}),
        lock: {
          ...(env.lock.holder ? { holder: { runId: env.lock.holder.runId, stageId: env.lock.holder.stageId } } : {}),
          queue: env.lock.queue.map((q) => ({ runId: q.runId, stageId: q.stageId })),
        },
      })
    }
  }
  return out
}

export function registerEnvironments(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>()
  api.get('/api/environments', { schema: { summary: 'Environments of the registered pipelines', tags: ['environments'], response: { 200: z.array(environmentSchema) } } }, async () => overview(ctx))

  api.get('/api/environments/:name/deployments', {
    schema: { summary: 'Deployment history, newest first', tags: ['environments'], params: envParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).optional() }), response: { 200: z.object({ deployments: z.array(deploymentSchema) }) } },
  }, async (request) => {
    await owner(ctx, request.params.name)
    return { deployments: (await ctx.store.listDeployments({ environment: request.params.name, limit: request.query.limit ?? 50 })).map((d) => ({ ...d })) }
  })

  const start = async (name: string, action: DeploymentAction, by: string) => {
    const pipeline = await owner(ctx, name)
    const handle = await ctx.engine.run(deploymentPipeline(await ctx.engine.load(pipeline.file), name, action), { trigger: 'api', triggeredBy: by })
    ctx.track(handle)
    return { id: handle.id }
  }
  api.post('/api/environments/:name/deploy', {
    config: { permission: 'operate' },
    schema: { summary: 'Deploy a recorded version (a run of one deploy stage, held to the environment\'s rules)', tags: ['environments'], params: envParams, body: deployBodySchema, response: { 202: acceptedSchema } },
  }, async (request, reply) => reply.status(202).send(await start(request.params.name, { kind: 'deploy', version: request.body.version }, actorOf(request).name)))

  api.post('/api/environments/:name/rollback', {
    config: { permission: 'operate' },
    schema: { summary: 'Roll back to the previous (or a given) version', tags: ['environments'], params: envParams, body: rollbackBodySchema, response: { 202: acceptedSchema } },
  }, async (request, reply) => reply.status(202).send(await start(request.params.name, { kind: 'rollback', ...(request.body?.to ? { toVersion: request.body.to } : {}) }, actorOf(request).name)))

  api.post('/api/environments/:name/ack', {
    config: { permission: 'operate' },
    schema: { summary: 'Acknowledge the latch an automatic rollback left: deploys are allowed again', tags: ['environments'], params: envParams, body: z.strictObject({ comment: z.string().max(2000).optional() }).optional(), response: { 200: z.object({ environment: z.string(), by: z.string(), at: z.number() }) } },
  }, async (request) => {
    await owner(ctx, request.params.name)
    const by = actorOf(request).name
    const at = ctx.now()
    await ackEnvironment(ctx.store, request.params.name, { by, at, source: 'api', ...(request.body?.comment ? { comment: request.body.comment } : {}) })
    return { environment: request.params.name, by, at }
  })
}
