import { PipewrightError, type RunStatus } from '@pipewright/plugin-api'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { ServerContext } from '../context.js'
import { runDetailSchema, runIdParams, runListQuerySchema, runListSchema } from '../schemas.js'
import { runSummary, stageViews } from '../views.js'

export async function findRunOr404(ctx: ServerContext, id: string) {
  const run = await ctx.engine.runs.get(id)
  if (!run) throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${id} not found`, { details: 'List runs with GET /api/runs.' })
  return run
}

/** Read routes over runs: list, one run with its stages. */
export function registerRunReads(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>()
  api.get('/api/runs', {
    schema: { summary: 'List runs, newest first', tags: ['runs'], querystring: runListQuerySchema, response: { 200: runListSchema } },
  }, async (request) => {
    const q = request.query
    const status = q.status ? (q.status.split(',').map((s) => s.trim()).filter(Boolean) as RunStatus[]) : undefined
    const page = await ctx.engine.runs.list({
      ...(q.pipeline ? { pipeline: q.pipeline } : {}), ...(status ? { status } : {}), ...(q.branch ? { branch: q.branch } : {}),
      ...(q.limit ? { limit: q.limit } : {}), ...(q.cursor ? { cursor: q.cursor } : {}),
    })
    return { runs: page.runs.map(runSummary), ...(page.next ? { nextCursor: page.next } : {}) }
  })

  api.get('/api/runs/:id', {
    schema: { summary: 'A run and its stages', tags: ['runs'], params: runIdParams, response: { 200: runDetailSchema } },
  }, async (request) => {
    const run = await findRunOr404(ctx, request.params.id)
    return { run: runSummary(run), stages: stageViews(run, await ctx.engine.runs.stages(run.id)) }
  })
}

export const meRoute = (app: FastifyInstance) =>
  app.withTypeProvider<ZodTypeProvider>().get('/api/me', {
    schema: { summary: 'Who the token is', tags: ['auth'], response: { 200: z.object({ name: z.string(), role: z.string() }) } },
  }, async (request) => ({ name: request.actor!.name, role: request.actor!.role }))
