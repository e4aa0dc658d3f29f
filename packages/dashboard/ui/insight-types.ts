// The insight API's shapes as the dashboard reads them (GET /api/insight/*, /api/runs/:id/risk;
// docs/server.md). Fields the dashboard does not show are left out.

export type Band = 'elite' | 'high' | 'medium' | 'low'

export interface DoraMetrics {
  pipeline: string
  environment: string
  deployments: number
  deploymentFrequency: { perDay: number; perWeek: number; band?: Band }
  leadTime: { medianMs?: number; samples: number; band?: Band }
  changeFailureRate: { failed: number; total: number; rate?: number; band?: Band }
  recoveryTime: { medianMs?: number; samples: number; unrecovered: number; band?: Band }
  reworkRate: { rework: number; total: number; rate?: number }
  weeks: Array<{ week: string; deployments: number; failures: number; leadTimeHours?: number }>
}

export interface DoraReport {
  environment: string
  window: { from: number; to: number }
  pipelines: DoraMetrics[]
}

export interface Suggestion {
  kind: string
  subject: string
  text: string
  numbers: Record<string, number>
}

export interface ReviewView {
  runs: number
  suggestions: Suggestion[]
}

export interface RiskAssessment {
  runId: string
  stageId: string
  score: number
  decision: string
  environment: string
  approvalAt: number
  blockAt: number
  at: number
  current?: { version: string; commit?: string }
  factors: Array<{ name: string; contribution: number; detail: string }>
}
