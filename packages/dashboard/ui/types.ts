// The HTTP API's shapes as the dashboard reads them (docs/server.md, /openapi.json). Fields the
// dashboard does not show are left out; unknown extra fields are ignored.

export type Role = 'viewer' | 'operator' | 'approver' | 'admin'

export interface Me {
  name: string
  role: Role
}

export interface RunSummary {
  id: string
  pipeline: string
  status: string
  createdAt: number
  startedAt?: number
  finishedAt?: number
  durationMs?: number
  trigger?: { kind: string; actor?: string; event?: string }
  git?: { sha: string; branch?: string; tag?: string }
  /** One line saying what the run waits for, while a stage waits. */
  waiting?: string
}

export interface GateView {
  uses: string
  verdict: 'pass' | 'fail' | 'pending' | string
  reason?: string
  evidence?: unknown
}

export interface StageView {
  id: string
  needs: string[]
  status: string
  kind?: string
  startedAt?: number
  finishedAt?: number
  durationMs?: number
  waiting?: { kind: string; reason: string; since?: number; deadline?: number }
  gates?: GateView[]
  environment?: string
  summary?: string
  error?: { code?: string; message: string; details?: string }
}

export interface RunDetail {
  run: RunSummary
  stages: StageView[]
}

export interface LogLine {
  seq?: number
  stageId: string
  stream: string
  text: string
  ts?: number
}

export interface EnvironmentView {
  name: string
  pipeline?: string
  url?: string
  current?: { version: string; deploymentId?: string; deployedAt?: number }
  health?: { status: string; at?: number; reason?: string; source?: string; kind?: string; verdict?: string; monitor?: string; values?: Record<string, number> }
  latch?: { active: boolean; reason: string; latchedAt: number; runId?: string; version?: string; ack?: { by: string; at: number; comment?: string } }
  lock?: { holder?: { runId: string; stageId: string }; queue: Array<{ runId: string; stageId: string }> }
}

export interface DeploymentView {
  deploymentId: string
  environment: string
  kind: string
  version: string
  previousVersion?: string
  outcome: string
  strategy?: string
  commit?: string
  branch?: string
  triggeredBy?: string
  approvedBy?: string[]
  startedAt?: number
  finishedAt?: number
  runId?: string
  error?: { message: string }
}

/** One Server-Sent Event as the run's stream delivers it. */
export interface StreamEvent {
  id?: string
  event: string
  data: any
}
