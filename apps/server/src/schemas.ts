import { z } from 'zod'

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), fix: z.string() }),
})

export const meSchema = z.object({ name: z.string(), role: z.enum(['viewer', 'operator', 'approver', 'admin']) })

export const runSummarySchema = z.object({
  id: z.string(),
  pipeline: z.string(),
  status: z.string(),
  createdAt: z.number(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  durationMs: z.number().optional(),
  trigger: z.object({ kind: z.string(), actor: z.string().optional(), event: z.string().optional() }),
  git: z.object({ sha: z.string(), branch: z.string().optional(), tag: z.string().optional() }).optional(),
  waiting: z.string().optional(),
})
export type RunSummary = z.infer<typeof runSummarySchema>

export const stageViewSchema = z.object({
  id: z.string(),
  needs: z.array(z.string()),
  status: z.string(),
  kind: z.string().optional(),
  attempts: z.number().optional(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  durationMs: z.number().optional(),
  waiting: z.object({ kind: z.string(), reason: z.string() }).optional(),
  gates: z.array(z.object({ uses: z.string(), verdict: z.string(), reason: z.string().optional(), evidence: z.unknown().optional() })).optional(),
  environment: z.string().optional(),
  summary: z.string().optional(),
  error: z.object({ code: z.string().optional(), message: z.string() }).optional(),
})
export type StageView = z.infer<typeof stageViewSchema>

export const runListQuerySchema = z.object({
  pipeline: z.string().optional(),
  status: z.string().optional(),
  branch: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().optional(),
})

export const runListSchema = z.object({ runs: z.array(runSummarySchema), nextCursor: z.string().optional() })
export const runDetailSchema = z.object({ run: runSummarySchema, stages: z.array(stageViewSchema) })
export const runIdParams = z.object({ id: z.string().min(1) })
export const idSchema = z.object({ id: z.string() })

export const triggerBodySchema = z.strictObject({
  pipeline: z.string().min(1).describe('The name of a registered pipeline (GET /api/pipelines).'),
  vars: z.record(z.string(), z.string()).optional(),
  ref: z.string().min(1).optional().describe('A commit, branch or tag of the pipeline\'s repository (default: HEAD).'),
})
export const acceptedSchema = z.object({ id: z.string() })
export const decisionBodySchema = z.strictObject({ comment: z.string().max(2000).optional() }).optional()
export const decisionSchema = z.object({
  decision: z.enum(['approved', 'rejected']),
  by: z.string(),
  stageId: z.string(),
  environment: z.string(),
  approvals: z.number(),
  needed: z.number(),
})
export const stageParams = z.object({ id: z.string().min(1), stageId: z.string().min(1) })

export const logQuerySchema = z.object({
  stage: z.string().optional(),
  after: z.coerce.number().int().min(-1).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
})
export const logLinesSchema = z.object({
  lines: z.array(z.object({ seq: z.number(), stageId: z.string(), stream: z.string(), text: z.string(), ts: z.number() })),
  next: z.number().optional(),
})
export const artifactsSchema = z.object({
  artifacts: z.array(z.object({ name: z.string(), stageId: z.string(), size: z.number(), digest: z.string(), createdAt: z.number() })),
})

export const pipelinesSchema = z.object({ pipelines: z.array(z.object({ name: z.string(), file: z.string() })) })

export const deploymentSchema = z.looseObject({
  id: z.string(),
  environment: z.string(),
  version: z.string(),
  outcome: z.string(),
  runId: z.string().optional(),
  stageId: z.string().optional(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
})
export const environmentSchema = z.object({
  name: z.string(),
  pipeline: z.string(),
  url: z.string().optional(),
  current: z.object({ version: z.string(), deploymentId: z.string(), deployedAt: z.number() }).optional(),
  /**
   * The newest health record (a verdict of verification, analysis or continuous monitoring, or a
   * monitor's sample, whichever is newer); without any, the last deployment's outcome (`source: deployment`).
   */
  health: z.object({
    status: z.string(),
    at: z.number(),
    source: z.enum(['verify', 'analysis', 'watch', 'deployment']),
    kind: z.enum(['verdict', 'sample', 'deployment']),
    reason: z.string().optional(),
    verdict: z.string().optional(),
    monitor: z.string().optional(),
    values: z.record(z.string(), z.number()).optional(),
    runId: z.string().optional(),
  }).optional(),
  /** Who keeps its `monitors:` running now: the server or agent holding its watch lease, since when, until when unless renewed. */
  watcher: z.object({ holder: z.string(), since: z.number(), expiresAt: z.number() }).optional(),
  /** The latch an automatic rollback left (`active` until someone acknowledges it; then `ack` says who). */
  latch: z.object({
    active: z.boolean(),
    reason: z.string(),
    latchedAt: z.number(),
    runId: z.string().optional(),
    stageId: z.string().optional(),
    deploymentId: z.string().optional(),
    version: z.string().optional(),
    ack: z.object({ by: z.string(), at: z.number(), comment: z.string().optional() }).optional(),
  }).optional(),
  lock: z.object({
    holder: z.object({ runId: z.string(), stageId: z.string() }).optional(),
    queue: z.array(z.object({ runId: z.string(), stageId: z.string() })),
  }),
})
export const envParams = z.object({ name: z.string().min(1) })
export const deployBodySchema = z.strictObject({ version: z.string().min(1) })
export const rollbackBodySchema = z.strictObject({ to: z.string().min(1).optional() }).optional()
