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
