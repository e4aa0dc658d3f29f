import { computeDora, computeReview, noRiskAssessment, parseWindow, riskOfEnvironment, riskOfRun } from '@pipewright/insight'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { ServerContext } from '../context.js'
import { doraQuerySchema, doraReportSchema, reviewQuerySchema, reviewSchema, riskAssessmentSchema } from '../insight-schemas.js'
import { envParams, runIdParams } from '../schemas.js'
import { findRunOr404 } from './runs.js'

const DEFAULT_SINCE = '30d'

/**
 * Delivery insight over the store, as the CLI's `report dora`, `report review` and `risk` print
 * it with `--format json` / `--json`: the same @pipewright/insight functions, any role.
 */
export function registerInsight(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>()

  api.get('/api/insight/dora', {
    schema: { summary: 'DORA metrics with their performance bands and weekly trend, per pipeline, for one environment (`pipewright report dora`)', tags: ['insight'], querystring: doraQuerySchema, response: { 200: doraReportSchema } },
  }, async (request) => {
    const q = request.query
    const window = parseWindow(q.since ?? DEFAULT_SINCE, q.until, ctx.now())
    return computeDora(ctx.store, { window, environment: q.env ?? 'production', ...(q.pipeline ? { pipeline: q.pipeline } : {}) })
  })

  api.get('/api/insight/review', {
    schema: { summary: 'Process review: slow stages, waiting, cache, flaky tests, failure causes, CPU, and suggestions (`pipewright report review`)', tags: ['insight'], querystring: reviewQuerySchema, response: { 200: reviewSchema } },
  }, async (request) => {
    const q = request.query
    return computeReview(ctx.store, { window: parseWindow(q.since ?? DEFAULT_SINCE, undefined, ctx.now()), ...(q.pipeline ? { pipeline: q.pipeline } : {}) })
  })

  api.get('/api/runs/:id/risk', {
    schema: { summary: 'The run\'s deployment risk assessments, one per risk/assess gate (`pipewright risk <run>`); empty when it has none', tags: ['insight', 'runs'], params: runIdParams, response: { 200: z.object({ assessments: z.array(riskAssessmentSchema) }) } },
  }, async (request) => ({ assessments: await riskOfRun(ctx.store, await findRunOr404(ctx, request.params.id)) }))

  api.get('/api/environments/:name/risk', {
    schema: { summary: 'The newest deployment risk assessment for an environment (`pipewright risk <env>`)', tags: ['insight', 'environments'], params: envParams, response: { 200: riskAssessmentSchema } },
  }, async (request) => {
    const found = await riskOfEnvironment(ctx.store, request.params.name)
    if (!found) throw noRiskAssessment(request.params.name)
    return found
  })
}
