import picomatch from 'picomatch'
import type { SerializedError, WaitRequest } from '@pipewright/plugin-api'
import { approvalStatus, approverList } from '../deploy/approvals.js'
import { activeFreeze } from '../deploy/freeze.js'
import { durationText as formatDuration } from '../exec/duration-text.js'
import type { StageRun } from '../kernel/stage-run.js'
import type { ProtectionSpec } from '../pipeline/environment-schema.js'

/** How often a deploy waiting for approvals looks for new decisions (they may come from another process). */
export const APPROVAL_RECHECK_MS = 1_000

type RuleResult = undefined | { wait: WaitRequest } | { fail: SerializedError }

/** `branches:` — only runs of these branches may deploy here; any other fails at once. */
export function checkBranches(stage: StageRun, environment: string, branches: readonly string[]): RuleResult {
  const branch = stage.session.input.git?.branch
  if (branch && branches.some((pattern) => picomatch.isMatch(branch, pattern))) return undefined
  const allowed = branches.join(', ')
  return {
    fail: {
      code: 'PW_ERR_PROTECTION',
      message: `Protection rule "branches" of ${environment}: ${branch ? `this run is on branch ${branch}` : 'this run is on no branch (a detached HEAD, or not a git checkout)'}; only ${allowed} may deploy here`,
      details: `Merge into ${allowed} and deploy from there, or add the branch to environments.${environment}.protection.branches.`,
    },
  }
}

function localTime(at: number): string {
  const d = new Date(at)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** `freeze:` — inside a window the deploy waits until it ends (or, with `--no-wait`, fails). */
export function checkFreeze(stage: StageRun, environment: string, windows: NonNullable<ProtectionSpec['freeze']>): RuleResult {
  const now = stage.session.clock.now()
  const active = activeFreeze(windows, now)
  if (!active) return undefined
  const what = `${environment} is frozen${active.window.reason ? ` (${active.window.reason})` : ''} by the window "${active.window.cron}"${active.window.timezone ? ` (${active.window.timezone})` : ''}`
  const until = active.until !== undefined ? ` until ${localTime(active.until)}` : ''
  if (stage.session.input.noWait) {
    return {
      fail: {
        code: 'PW_ERR_PROTECTION',
        message: `Protection rule "freeze" of ${environment}: ${what}${until}, and the run was started with --no-wait`,
        details: 'Deploy after the window, or run without --no-wait so the stage waits for the window to end.',
      },
    }
  }
  const recheckMs = active.until !== undefined ? Math.min(60_000, Math.max(1_000, active.until - now)) : 60_000
  return { wait: { reason: `${what}${until}; the deploy waits for the window to end (--no-wait fails instead)`, kind: 'window', recheckMs } }
}

/** When the approval wait began: this process's wait, or the one a resumed run was in. */
function approvalWaitSince(stage: StageRun): number | undefined {
  if (stage.wait?.kind === 'approval') return stage.wait.since
  if (stage.resumedWait?.kind === 'approval' && stage.resumedWait.hook === 'deploy') return stage.resumedWait.since
  return undefined
}

/**
 * `approvals:` — waits until enough distinct people approved (not the trigger, unless
 * self-approval is allowed); a rejection fails the stage; so does the approval timeout. Every new
 * decision is emitted as `approval:decided`; on success, the approvers are kept for the record.
 */
export async function checkApprovals(stage: StageRun, environment: string, protection: ProtectionSpec): Promise<RuleResult> {
  const { session } = stage
  const triggeredBy = session.input.triggeredBy
  const decisions = await session.input.store.listApprovals(session.runId, stage.stageId)
  const seen = (stage.memo.get('deploy.decisions') as Set<string> | undefined) ?? new Set<string>()
  stage.memo.set('deploy.decisions', seen)
  for (const d of decisions) {
    const key = `${d.by}\0${d.decision}\0${d.at}`
    if (seen.has(key)) continue
    seen.add(key)
    session.emit('approval:decided', { stageId: stage.stageId, environment, decision: d.decision, by: d.by, ...(d.comment ? { comment: d.comment } : {}), decidedAt: d.at })
    stage.log(`${d.decision === 'approved' ? 'approved' : 'rejected'} by ${d.by}${d.comment ? `: ${d.comment}` : ''}`)
  }
  const status = approvalStatus(decisions, { needed: protection.approvals, allowSelf: protection['allow-self-approval'], ...(triggeredBy ? { triggeredBy } : {}) })
  if (status.rejection) {
    const r = status.rejection
    return { fail: { code: 'PW_ERR_APPROVAL_REJECTED', message: `${r.by} rejected the deploy to ${environment}${r.comment ? `: ${r.comment}` : ''}`, details: 'Fix what the approver asked for and run again.' } }
  }
  if (status.valid.length >= status.needed) {
    stage.memo.set('deploy.approvedBy', status.valid.map((a) => a.by))
    return undefined
  }
  const now = session.clock.now()
  const since = approvalWaitSince(stage)
  const timeout = protection['approval-timeout']
  if (since !== undefined && now - since >= timeout) {
    return {
      fail: {
        code: 'PW_ERR_APPROVAL_EXPIRED',
        message: `The approval request for ${environment} expired after ${formatDuration(now - since)} with ${status.valid.length} of ${status.needed} approvals (${approverList(status.valid)})`,
        details: `Run again and ask approvers to approve within ${formatDuration(timeout)} (environments.${environment}.protection.approval-timeout).`,
      },
    }
  }
  const selfNote = status.self.length > 0 ? `; ${status.self.map((a) => a.by).join(', ')} triggered the run and cannot approve it` : ''
  return {
    wait: {
      reason: `${environment} needs ${status.needed} approval${status.needed === 1 ? '' : 's'}: ${status.valid.length} of ${status.needed} (${approverList(status.valid)})${selfNote}; approve with \`pipewright approve ${session.runId} ${stage.stageId} --as <name>\``,
      kind: 'approval',
      timeoutMs: timeout,
      recheckMs: APPROVAL_RECHECK_MS,
    },
  }
}
