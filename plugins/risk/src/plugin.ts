import { definePlugin, type GateContext, type GateResult } from '@pipewright/plugin-api'
import { assessConfigSchema, type AssessConfig } from './config.js'
import { gatherInputs } from './gather.js'
import { scoreRisk, type RiskAssessment } from './score.js'

/** The record `pipewright risk` reads back. */
export const ASSESSMENT_RECORD = 'risk.assessment'

export interface AssessmentRecord extends RiskAssessment {
  environment: string
  approvalAt: number
  blockAt: number
  /** The version and commit the environment ran when assessed. */
  current?: { version: string; commit?: string }
  at: number
}

// A pending gate is asked again every few seconds; the assessment is made and announced once per stage.
const assessed = new Map<string, AssessmentRecord>()

function summary(a: RiskAssessment): string {
  return a.factors.filter((f) => f.contribution > 0).sort((x, y) => y.contribution - x.contribution).slice(0, 3).map((f) => `${f.name} +${f.contribution} (${f.detail})`).join('; ') || 'no factor adds risk'
}

async function assess(ctx: GateContext, config: AssessConfig): Promise<AssessmentRecord> {
  const key = `${ctx.runId}\0${ctx.stage.id}`
  const known = assessed.get(key) ?? (await ctx.records.get<AssessmentRecord>(ASSESSMENT_RECORD))
  if (known) return known
  const now = Date.now()
  const { current, ...inputs } = await gatherInputs(ctx, config, now)
  const result = scoreRisk(inputs, config)
  const record: AssessmentRecord = {
    ...result, environment: config.environment, approvalAt: config['approval-at'], blockAt: config['block-at'], at: now,
    ...(current ? { current: { version: current.version, ...(current.commit ? { commit: current.commit } : {}) } } : {}),
  }
  assessed.set(key, record)
  await ctx.records.save(ASSESSMENT_RECORD, record)
  ctx.emit('risk:assessed', { stageId: ctx.stage.id, environment: config.environment, score: result.score, decision: result.decision, factors: result.factors })
  ctx.summary(`risk ${result.score}/100 for ${config.environment}: ${result.decision} — ${summary(result)}`)
  return record
}

async function evaluate(ctx: GateContext, config: AssessConfig): Promise<GateResult> {
  const a = await assess(ctx, config)
  const evidence = { score: a.score, decision: a.decision, factors: a.factors, thresholds: { approval: a.approvalAt, block: a.blockAt } }
  const head = `risk ${a.score}/100 for ${a.environment}`
  if (a.decision === 'block') return { verdict: 'fail', reason: `${head} reaches block-at ${a.blockAt}: ${summary(a)}`, evidence }
  if (a.decision === 'pass') return { verdict: 'pass', reason: `${head} is below approval-at ${a.approvalAt}: ${summary(a)}`, evidence }
  const approvals = (await ctx.history?.approvals?.()) ?? []
  const rejection = approvals.find((d) => d.decision === 'rejected')
  if (rejection) return { verdict: 'fail', reason: `${head}: ${rejection.by} rejected it${rejection.comment ? `: ${rejection.comment}` : ''}`, evidence }
  const approval = approvals.find((d) => d.decision === 'approved')
  if (approval) return { verdict: 'pass', reason: `${head} (≥ ${a.approvalAt}) approved by ${approval.by}${approval.comment ? `: ${approval.comment}` : ''}`, evidence }
  return {
    verdict: 'pending', waitFor: 'approval', recheckMs: 2_000,
    reason: `${head} (≥ approval-at ${a.approvalAt}) needs an approval — ${summary(a)}; approve with \`pipewright approve ${ctx.runId} ${ctx.stage.id} --as <name>\``,
    evidence,
  }
}

/** The risk plugin: `risk/assess`, an explainable deployment risk score with pass / approval / block thresholds. */
export const riskPlugin = definePlugin({
  id: 'risk',
  apiVersion: 1,
  version: '0.1.0',
  description: 'An explainable deployment risk score (change size, sensitive paths, tests, flaky tests, failure rate, time, freezes) and a gate on it.',
  register(api) {
    api.gate('assess', {
      description: 'Scores the change about to reach an environment; passes, waits for an approval, or blocks by thresholds.',
      configSchema: assessConfigSchema,
      evaluate,
    })
  },
})
