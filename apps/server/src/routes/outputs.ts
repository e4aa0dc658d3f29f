import { ArtifactStore } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { createReadStream, existsSync } from 'node:fs'
import { basename } from 'node:path'
import { z } from 'zod'
import type { ServerContext } from '../context.js'
import { artifactsSchema, logLinesSchema, logQuerySchema, runIdParams } from '../schemas.js'
import { findRunOr404 } from './runs.js'

/** Logs (paged by the store's sequence number) and artifacts (listed, downloaded) of a run. */
export function registerOutputs(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>()
  api.get('/api/runs/:id/logs', {
    schema: { summary: 'A run\'s log lines (redacted as stored), paged: pass `next` as `after`', tags: ['runs'], params: runIdParams, querystring: logQuerySchema, response: { 200: logLinesSchema } },
  }, async (request) => {
    const run = await findRunOr404(ctx, request.params.id)
    const limit = request.query.limit ?? 1000
    const records = await ctx.store.getLogs(run.id, { ...(request.query.stage ? { stageId: request.query.stage } : {}), ...(request.query.after !== undefined ? { afterSeq: request.query.after } : {}), limit })
    const lines = records.flatMap((r) => r.line.split('\n').map((text) => ({ seq: r.seq, stageId: r.stageId, stream: r.stream, text, ts: r.at })))
    return { lines, ...(records.length === limit ? { next: records.at(-1)!.seq } : {}) }
  })

  api.get('/api/runs/:id/artifacts', {
    schema: { summary: 'A run\'s artifacts', tags: ['runs'], params: runIdParams, response: { 200: artifactsSchema } },
  }, async (request) => {
    const run = await findRunOr404(ctx, request.params.id)
    const artifacts = await ctx.engine.runs.artifacts(run.id)
    return { artifacts: artifacts.map((a) => ({ name: a.path, stageId: a.stageId, size: a.size, digest: a.digest, createdAt: a.createdAt })) }
  })

  api.get('/api/runs/:id/artifacts/*', {
    schema: { summary: 'Download one artifact by its path', tags: ['runs'], params: z.object({ id: z.string(), '*': z.string().min(1) }) },
  }, async (request, reply) => {
    const run = await findRunOr404(ctx, request.params.id)
    const name = request.params['*']
    const artifact = (await ctx.engine.runs.artifacts(run.id)).findLast((a) => a.path === name)
    const dir = ctx.store.artifactDir
    const file = artifact && dir ? new ArtifactStore(dir).pathOf(artifact.digest) : undefined
    if (!artifact || !file || !existsSync(file)) {
      throw new PipewrightError('PW_ERR_USAGE', `Run ${run.id} has no artifact ${name}`, { details: `List them with GET /api/runs/${run.id}/artifacts.` })
    }
    reply.header('content-type', 'application/octet-stream')
    reply.header('content-length', String(artifact.size))
    reply.header('content-disposition', `attachment; filename="${basename(name).replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    return reply.send(createReadStream(file))
  })
}
