import { decideApproval, type RunHandle } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { actorOf } from '../auth.js'
import type { RegisteredPipeline, ServerContext } from '../context.js'
import { acceptedSchema, decisionBodySchema, decisionSchema, pipelinesSchema, runIdParams, stageParams, triggerBodySchema } from '../schemas.js'
import { findRunOr404 } from './runs.js'

const run = promisify(execFile)

export function pipelineOr404(ctx: ServerContext, name: string): RegisteredPipeline {
  const found = ctx.pipelines.get(name)
  if (!found) {
    throw new PipewrightError('PW_ERR_PIPELINE_NOT_FOUND', `No registered pipeline named ${name}`, {
      details: `Registered: ${[...ctx.pipelines.keys()].join(', ') || 'none'}; start the server with -f <file> for each pipeline it may run.`,
    })
  }
  return found
}

/** A ref of the pipeline's repository as a commit (and branch): argv only, never shell text. */
export async function resolveRef(dir: string, ref: string): Promise<{ sha: string; branch?: string }> {
  if (ref.startsWith('-')) throw new PipewrightError('PW_ERR_USAGE', `Invalid ref "${ref}"`, { details: 'Pass a commit, branch or tag name.' })
  try {
    const { stdout } = await run('git', ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`], { cwd: dir })
    const sha = stdout.trim()
    const branch = await run('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${ref}`], { cwd: dir }).then(() => ref, () => undefined)
    return branch ? { sha, branch } : { sha }
  } catch {
    throw new PipewrightError('PW_ERR_COMMIT_NOT_FOUND', `The repository of ${dir} has no commit, branch or tag "${ref}"`)
  }
}

/** Starts a run and answers 202 with its id; the server follows it to the end. */
function accepted(ctx: ServerContext, handle: RunHandle) {
  ctx.track(handle)
  return { id: handle.id }
}

function registerRunActions(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>()
  api.get('/api/pipelines', { schema: { summary: 'Registered pipelines', tags: ['pipelines'], response: { 200: pipelinesSchema } } }, async () => ({
    pipelines: [...ctx.pipelines.values()].map((p) => ({ name: p.name, file: p.file })),
  }))

  api.post('/api/runs', {
    config: { permission: 'operate' },
    schema: { summary: 'Trigger a run of a registered pipeline', tags: ['runs'], body: triggerBodySchema, response: { 202: acceptedSchema } },
  }, async (request, reply) => {
    const pipeline = pipelineOr404(ctx, request.body.pipeline)
    const commit = request.body.ref ? await resolveRef(pipeline.dir, request.body.ref) : undefined
    const handle = await ctx.engine.run(pipeline.file, { trigger: 'api', triggeredBy: actorOf(request).name, ...(request.body.vars ? { vars: request.body.vars } : {}), ...(commit ? { commit } : {}) })
    return reply.status(202).send(accepted(ctx, handle))
  })

  api.post('/api/runs/:id/cancel', {
    config: { permission: 'operate' },
    schema: { summary: 'Cancel a running or queued run', tags: ['runs'], params: runIdParams, response: { 202: acceptedSchema } },
  }, async (request, reply) => {
    const found = await findRunOr404(ctx, request.params.id)
    await ctx.engine.cancel(found.id, `cancelled by ${actorOf(request).name}`)
    return reply.status(202).send({ id: found.id })
  })

  api.post('/api/runs/:id/resume', {
    config: { permission: 'operate' },
    schema: { summary: 'Resume an interrupted, failed or cancelled run (same id)', tags: ['runs'], params: runIdParams, response: { 202: acceptedSchema } },
  }, async (request, reply) => {
    const found = await findRunOr404(ctx, request.params.id)
    return reply.status(202).send(accepted(ctx, await ctx.engine.resume(found.id, { trigger: 'api' })))
  })

  api.post('/api/runs/:id/retry', {
    config: { permission: 'operate' },
    schema: { summary: 'A new run from the failed stage of a failed run (earlier stages reuse their outputs)', tags: ['runs'], params: runIdParams, response: { 202: acceptedSchema } },
  }, async (request, reply) => {
    const found = await findRunOr404(ctx, request.params.id)
    const stages = await ctx.engine.runs.stages(found.id)
    const failed = found.plan.stages.find((p) => stages.some((s) => s.stageId === p.id && s.status === 'failed'))
    if (found.status !== 'failed' || !failed || !found.file) {
      throw new PipewrightError('PW_ERR_RUN_NOT_RESUMABLE', `Run ${found.id} is ${found.status}${found.status === 'failed' ? ' but has no failed stage to retry from' : ': only a failed run can be retried'}`, {
        details: 'Resume an interrupted or cancelled run instead (POST /api/runs/:id/resume), or trigger a new run.',
      })
    }
    const { stageId } = found.plan.stages.find((p) => p.id === failed.id)!
    const handle = await ctx.engine.run(found.file, {
      from: stageId, trigger: 'api', triggeredBy: actorOf(request).name,
      ...(found.options.vars ? { vars: found.options.vars } : {}), ...(found.sha ? { commit: { sha: found.sha, ...(found.branch ? { branch: found.branch } : {}) } } : {}),
    })
    return reply.status(202).send(accepted(ctx, handle))
  })
}

function registerApprovals(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>()
  for (const [verb, decision] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    api.post(`/api/runs/:id/stages/:stageId/${verb}`, {
      config: { permission: 'approve' },
      schema: { summary: `${verb === 'approve' ? 'Approve' : 'Reject'} a deploy stage waiting for approval, as the token's identity`, tags: ['approvals'], params: stageParams, body: decisionBodySchema, response: { 200: decisionSchema } },
    }, async (request) => {
      const by = actorOf(request).name
      const comment = request.body?.comment
      const d = await decideApproval(ctx.store, { run: request.params.id, stageId: request.params.stageId, by, decision, ...(comment ? { comment } : {}), at: ctx.now() })
      ctx.engine.wake(d.run.id, d.stageId)
      return { decision, by, stageId: d.stageId, environment: d.environment, approvals: d.status.valid.length, needed: d.status.needed }
    })
  }
}

export function registerActions(app: FastifyInstance, ctx: ServerContext): void {
  registerRunActions(app, ctx)
  registerApprovals(app, ctx)
}
