import type { RunRecord, StageRecord } from '@pipewright/store-api'
import type { RunSummary, StageView } from './schemas.js'

/** A stored run as the API shows it. */
export function runSummary(run: RunRecord): RunSummary {
  const trigger = parseTrigger(run.trigger)
  const summary: RunSummary = {
    id: run.id,
    pipeline: run.pipeline,
    status: run.status,
    createdAt: run.createdAt,
    trigger: { ...trigger, ...(run.triggeredBy !== undefined ? { actor: run.triggeredBy } : {}) },
  }
  if (run.startedAt !== undefined) summary.startedAt = run.startedAt
  if (run.finishedAt !== undefined) summary.finishedAt = run.finishedAt
  if (run.startedAt !== undefined && run.finishedAt !== undefined) summary.durationMs = Math.max(0, run.finishedAt - run.startedAt)
  if (run.sha !== undefined) {
    const branch = run.branch
    summary.git = { sha: run.sha, ...(branch?.startsWith('refs/tags/') ? { tag: branch.slice('refs/tags/'.length) } : branch !== undefined ? { branch } : {}) }
  }
  if (run.waiting !== undefined) summary.waiting = run.waiting
  return summary
}

/** `webhook:github:push` → kind webhook, event github:push; `cli` → kind cli. */
function parseTrigger(trigger: string | undefined): { kind: string; event?: string } {
  if (!trigger) return { kind: 'cli' }
  const colon = trigger.indexOf(':')
  return colon < 0 ? { kind: trigger } : { kind: trigger.slice(0, colon), event: trigger.slice(colon + 1) }
}

interface SpecStage {
  deploy?: { environment?: string }
  uses?: string
  run?: unknown
}

/** Every planned stage (also those not started yet) with its record, in plan order. */
export function stageViews(run: RunRecord, records: StageRecord[]): StageView[] {
  const byId = new Map(records.map((r) => [r.stageId, r]))
  const spec = (run.plan as { spec?: { stages?: Record<string, SpecStage> } }).spec
  const views = run.plan.stages.map((planned) => {
    const record = byId.get(planned.id)
    byId.delete(planned.id)
    return stageView(planned.id, planned.needs, record, spec?.stages?.[planned.stageId])
  })
  // Stages recorded outside the plan (none today) are still shown.
  for (const record of byId.values()) views.push(stageView(record.stageId, [], record, undefined))
  return views
}

function stageView(id: string, needs: string[], record: StageRecord | undefined, spec: SpecStage | undefined): StageView {
  const view: StageView = { id, needs, status: record?.status ?? 'pending' }
  if (spec?.deploy) {
    view.kind = 'deploy'
    if (spec.deploy.environment) view.environment = spec.deploy.environment
  } else if (spec?.uses) view.kind = spec.uses
  else if (spec?.run !== undefined) view.kind = 'run'
  if (!record) return view
  view.attempts = record.attempts
  if (record.startedAt !== undefined) view.startedAt = record.startedAt
  if (record.finishedAt !== undefined) view.finishedAt = record.finishedAt
  if (record.durationMs !== undefined) view.durationMs = record.durationMs
  if (record.waiting) view.waiting = { kind: record.waiting.kind, reason: record.waiting.reason }
  if (record.gates?.length) view.gates = record.gates.map((g) => ({ uses: g.gate, verdict: g.verdict, reason: g.reason, ...(g.evidence !== undefined ? { evidence: g.evidence } : {}) }))
  if (record.summary) view.summary = record.summary
  if (record.error) view.error = { code: record.error.code, message: record.error.message }
  return view
}
