import { PipewrightError } from '@pipewright/plugin-api'
import type { ApprovalRecord, RunRecord, StageRecord, Store } from '@pipewright/store-api'
import type { DeploySpec, EnvironmentSpec } from '../pipeline/environment-schema.js'
import type { PipelineSpec } from '../pipeline/schema.js'
import { recordAudit } from '../record/audit.js'
import { RunsApi } from '../record/runs-api.js'
import { sameIdentity } from './identity.js'

/** Where a stage's approvals stand. */
export interface ApprovalStatus {
  needed: number
  /** Approvals that count: distinct people, not the trigger unless self-approval is allowed. */
  valid: ApprovalRecord[]
  /** Approvals by whoever triggered the run, which do not count. */
  self: ApprovalRecord[]
  /** The first rejection, if anyone rejected. */
  rejection?: ApprovalRecord
}

export function approvalStatus(approvals: readonly ApprovalRecord[], rule: { needed: number; allowSelf: boolean; triggeredBy?: string }): ApprovalStatus {
  const rejection = approvals.find((a) => a.decision === 'rejected')
  const approved = approvals.filter((a) => a.decision === 'approved')
  const self = rule.allowSelf ? [] : approved.filter((a) => sameIdentity(a.by, rule.triggeredBy))
  const valid = approved.filter((a) => !self.includes(a))
  return { needed: rule.needed, valid, self, ...(rejection ? { rejection } : {}) }
}

/** `bob, carol` — or `nobody yet`. */
export function approverList(approvals: readonly ApprovalRecord[]): string {
  return approvals.length > 0 ? approvals.map((a) => a.by).join(', ') : 'nobody yet'
}

interface Candidate {
  stageId: string
  environment: string
  protection: NonNullable<EnvironmentSpec['protection']>
}

/** The stages of a run that deploy into an environment needing approvals. */
function approvalStages(run: RunRecord): Candidate[] {
  const spec = run.plan.spec as PipelineSpec | undefined
  if (!spec) return []
  return run.plan.stages.flatMap((planned) => {
    const deploy = (spec.stages[planned.stageId] as { deploy?: DeploySpec } | undefined)?.deploy
    const protection = deploy ? spec.environments?.[deploy.environment]?.protection : undefined
    return deploy && protection && protection.approvals > 0 ? [{ stageId: planned.id, environment: deploy.environment, protection }] : []
  })
}

export interface ApprovalDecision {
  run: RunRecord
  stageId: string
  environment: string
  approval: ApprovalRecord
  status: ApprovalStatus
}

/**
 * Records a person's approval or rejection of a run's deploy stage (`pipewright approve|reject`)
 * — the one writer of approvals. The stage may be left out when exactly one stage of the run
 * waits for approval (or needs it). Refused (PW_ERR_APPROVAL_REFUSED) for a finished run, a stage
 * that needs no approval, and an approval by whoever triggered the run when the environment
 * forbids self-approval. A waiting run sees the decision on its next check (`engine.wake(runId)`
 * makes an in-process one check at once).
 */
export async function decideApproval(
  store: Store,
  input: { run: string; stageId?: string; by: string; decision: 'approved' | 'rejected'; comment?: string; at?: number; where?: string; source?: string },
): Promise<ApprovalDecision> {
  const runs = new RunsApi(store)
  const run = await runs.find(input.run, input.where ? { where: input.where } : {})
  const refuse = (message: string, details: string) => new PipewrightError('PW_ERR_APPROVAL_REFUSED', message, { details })
  if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') {
    throw refuse(`Run ${run.id} already ${run.status}: there is nothing left to ${input.decision === 'approved' ? 'approve' : 'reject'}`, 'Start a new run (or `pipewright deploy <environment> --version <v>`) and approve that one.')
  }
  const candidates = approvalStages(run)
  if (candidates.length === 0) throw refuse(`Run ${run.id} deploys into no environment that needs approvals`, 'Approvals apply to `deploy:` stages whose environment sets `protection.approvals`.')
  let chosen: Candidate | undefined
  if (input.stageId !== undefined) {
    chosen = candidates.find((c) => c.stageId === input.stageId)
    if (!chosen) throw refuse(`Stage ${input.stageId} of run ${run.id} needs no approval`, `Stages of this run that do: ${candidates.map((c) => c.stageId).join(', ')}.`)
  } else if (candidates.length === 1) {
    chosen = candidates[0]
  } else {
    const stages: StageRecord[] = await runs.stages(run.id)
    const waiting = candidates.filter((c) => stages.some((s) => s.stageId === c.stageId && s.status === 'waiting' && s.waiting?.kind === 'approval'))
    if (waiting.length !== 1) throw refuse(`Run ${run.id} has ${candidates.length} stages that need approval: name one`, `e.g. pipewright ${input.decision === 'approved' ? 'approve' : 'reject'} ${run.id} ${candidates[0]!.stageId}`)
    chosen = waiting[0]
  }
  const { protection } = chosen!
  const by = input.by.trim()
  if (input.decision === 'approved' && !protection['allow-self-approval'] && sameIdentity(by, run.triggeredBy)) {
    throw refuse(`${by} triggered run ${run.id} and cannot approve its deploy to ${chosen!.environment} (protection.allow-self-approval is false)`, 'Ask someone else to approve it, as themselves (`--as <name>` or their git user).')
  }
  const approval: ApprovalRecord = { runId: run.id, stageId: chosen!.stageId, environment: chosen!.environment, decision: input.decision, by, at: input.at ?? Date.now(), ...(input.comment ? { comment: input.comment } : {}) }
  await store.addApproval(approval)
  await recordAudit(store, {
    action: `approval.${input.decision}`, actor: by, at: approval.at, source: input.source ?? 'cli',
    subject: { runId: run.id, stageId: approval.stageId, environment: approval.environment, pipeline: run.pipeline },
    data: { comment: input.comment ?? null },
  })
  const status = approvalStatus(await store.listApprovals(run.id, chosen!.stageId), { needed: protection.approvals, allowSelf: protection['allow-self-approval'], ...(run.triggeredBy ? { triggeredBy: run.triggeredBy } : {}) })
  return { run, stageId: chosen!.stageId, environment: chosen!.environment, approval, status }
}
