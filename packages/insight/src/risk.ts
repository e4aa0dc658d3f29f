import { PipewrightError } from '@pipewright/plugin-api'
import type { Store } from '@pipewright/store-api'

/** The record kind the risk/assess gate (`@pipewright/plugin-risk`) saves an assessment under. */
export const RISK_ASSESSMENT_RECORD = 'risk.assessment'

/** One assessment as `pipewright risk --json` and `GET /api/runs/:id/risk` show it. */
export interface RiskAssessmentView {
  runId: string
  stageId: string
  score: number
  decision: string
  environment: string
  approvalAt: number
  blockAt: number
  at: number
  /** The version (and commit) the environment ran when assessed. */
  current?: { version: string; commit?: string }
  factors: Array<{ name: string; contribution: number; detail: string; data?: Record<string, unknown> }>
}

type Saved = Omit<RiskAssessmentView, 'runId' | 'stageId'>

/** The assessments a run's risk/assess gates made, one per gated stage. */
export async function riskOfRun(store: Store, run: { id: string; pipeline: string }): Promise<RiskAssessmentView[]> {
  const records = await store.findRecords({ pipeline: run.pipeline, kind: RISK_ASSESSMENT_RECORD, runId: run.id })
  return records.map((r) => ({ runId: r.runId, stageId: r.stageId, ...(r.data as Saved) }))
}

/**
 * The newest assessment for an environment, in any pipeline of the store (the pipelines of its
 * 200 newest runs; each one's 50 newest assessments).
 */
export async function riskOfEnvironment(store: Store, environment: string): Promise<RiskAssessmentView | undefined> {
  const pipelines = [...new Set((await store.listRuns({ limit: 200 })).map((r) => r.pipeline))]
  const all = (await Promise.all(pipelines.map((pipeline) => store.findRecords({ pipeline, kind: RISK_ASSESSMENT_RECORD, limit: 50 })))).flat()
  const newest = all.filter((r) => (r.data as Saved).environment === environment).sort((a, b) => b.createdAt - a.createdAt)[0]
  return newest ? { runId: newest.runId, stageId: newest.stageId, ...(newest.data as Saved) } : undefined
}

/** What `pipewright risk <target>` and the API say when there is no assessment to show. */
export function noRiskAssessment(target: string): PipewrightError {
  return new PipewrightError('PW_ERR_RUN_NOT_FOUND', `No risk assessment for ${target}: it is neither a run with a risk/assess gate nor an environment one assessed`, {
    details: 'Pass a run id (`pipewright runs`) or an environment name; add a risk/assess gate before the deploy to get assessments.',
  })
}
