import { z } from 'zod'

// The shapes of @pipewright/insight's reports, as `pipewright report … --format json` and
// `pipewright risk --json` print them; the response serializer keeps only what is declared here.

const band = z.enum(['elite', 'high', 'medium', 'low']).describe('DORA performance band (docs/insight.md)')
const window = z.object({ from: z.number().describe('epoch ms, included'), to: z.number().describe('epoch ms, excluded') })

export const doraQuerySchema = z.object({
  pipeline: z.string().min(1).optional().describe('Only this pipeline (default: every pipeline that deployed to the environment).'),
  env: z.string().min(1).optional().describe('The environment deployments go to (default production).'),
  since: z.string().optional().describe('A span back from now (30d, 12w, 48h) or a start date (2026-01-01); default 30d.'),
  until: z.string().optional().describe('The window\'s end, in the same forms (default: now).'),
})

export const reviewQuerySchema = doraQuerySchema.pick({ pipeline: true, since: true })

const failure = z.object({
  deploymentId: z.string(),
  version: z.string(),
  finishedAt: z.number(),
  reasons: z.array(z.enum(['rollback', 'verification', 'hotfix'])),
  recoveredAt: z.number().optional(),
  recoveredBy: z.string().optional(),
})

export const doraMetricsSchema = z.object({
  pipeline: z.string(),
  environment: z.string(),
  window,
  deployments: z.number(),
  deploymentFrequency: z.object({ perDay: z.number(), perWeek: z.number(), band: band.optional() }),
  leadTime: z.object({ medianMs: z.number().optional(), samples: z.number(), withoutCommitTime: z.number(), band: band.optional() }),
  changeFailureRate: z.object({ failed: z.number(), total: z.number(), rate: z.number().optional(), band: band.optional(), failures: z.array(failure) }),
  recoveryTime: z.object({ medianMs: z.number().optional(), samples: z.number(), unrecovered: z.number(), band: band.optional() }),
  reworkRate: z.object({ rework: z.number(), total: z.number(), rate: z.number().optional(), deploymentIds: z.array(z.string()) }).describe('DORA has no bands for rework rate'),
  weeks: z.array(z.object({ week: z.string().describe('Monday, ISO date'), deployments: z.number(), failures: z.number(), leadTimeHours: z.number().optional() })),
})

export const doraReportSchema = z.object({ environment: z.string(), window, pipelines: z.array(doraMetricsSchema) })

const stageCount = z.object({ stageId: z.string(), count: z.number() })

export const reviewSchema = z.object({
  window,
  pipeline: z.string().optional(),
  runs: z.number(),
  slowestStages: z.array(z.object({
    stageId: z.string(),
    runs: z.number(),
    totalMs: z.number(),
    medianMs: z.number(),
    trend: z.object({ earlierMs: z.number(), laterMs: z.number(), change: z.number() }).optional(),
    weekly: z.array(z.object({ week: z.string(), medianMs: z.number().optional() })),
  })),
  waiting: z.array(z.object({ kind: z.string(), waits: z.number(), totalMs: z.number(), medianMs: z.number(), byStage: z.array(z.object({ stageId: z.string(), waits: z.number(), totalMs: z.number() })) })),
  cache: z.array(z.object({ stageId: z.string(), hits: z.number(), misses: z.number(), hitRate: z.number().optional(), savedMs: z.number(), rerunsUnchanged: z.number(), rerunMs: z.number() })),
  cacheTotals: z.object({ hits: z.number(), misses: z.number(), hitRate: z.number().optional(), savedMs: z.number() }),
  flakyTests: z.array(z.object({ id: z.string(), runs: z.number(), stages: z.array(z.string()) })),
  failures: z.array(z.object({ class: z.string(), count: z.number(), stages: z.array(stageCount), codes: z.array(z.string()) })),
  cpuByStage: z.array(z.object({ stageId: z.string(), cpuMs: z.number(), attempts: z.number() })),
  suggestions: z.array(z.object({ kind: z.string(), subject: z.string(), text: z.string(), numbers: z.record(z.string(), z.number()) })),
})

export const riskAssessmentSchema = z.object({
  runId: z.string(),
  stageId: z.string(),
  score: z.number().describe('0–100'),
  decision: z.string().describe('pass, approval or block'),
  environment: z.string(),
  approvalAt: z.number(),
  blockAt: z.number(),
  at: z.number(),
  current: z.object({ version: z.string(), commit: z.string().optional() }).optional().describe('What the environment ran when assessed'),
  factors: z.array(z.object({ name: z.string(), contribution: z.number(), detail: z.string(), data: z.record(z.string(), z.unknown()).optional() })),
})
