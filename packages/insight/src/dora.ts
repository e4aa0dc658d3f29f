import type { DeploymentRecord, StageRecord, Store } from '@pipewright/store-api'
import { changeFailureBand, frequencyBand, leadTimeBand, recoveryBand, type Band } from './bands.js'
import { DAY_MS, inWindow, median, weeksOf, type TimeWindow } from './window.js'

export interface DoraOptions {
  window: TimeWindow
  /** Default `production`. */
  environment?: string
  /** Only this pipeline; default: every pipeline that deployed to the environment. */
  pipeline?: string
  /** How soon after a deployment a hotfix or a fix counts against it (default 24 h). */
  fixWindowMs?: number
  /** Branches whose deployments are hotfixes (default `hotfix/…`, `hotfix-…`). */
  hotfixBranch?: RegExp
}

/** Why a deployment counts as a change failure. */
export type FailureReason = 'rollback' | 'verification' | 'hotfix'

export interface DeploymentFailure {
  deploymentId: string
  version: string
  finishedAt: number
  reasons: FailureReason[]
  /** When the environment was healthy again (the next good deployment or rollback), if it was. */
  recoveredAt?: number
  recoveredBy?: string
}

export interface WeekPoint {
  /** Monday 00:00 UTC, ISO date. */
  week: string
  deployments: number
  failures: number
  /** Median lead time of the week's deployments, hours. */
  leadTimeHours?: number
}

export interface DoraMetrics {
  pipeline: string
  environment: string
  window: TimeWindow
  deployments: number
  deploymentFrequency: { perDay: number; perWeek: number; band?: Band }
  leadTime: { medianMs?: number; samples: number; withoutCommitTime: number; band?: Band }
  changeFailureRate: { failed: number; total: number; rate?: number; band?: Band; failures: DeploymentFailure[] }
  recoveryTime: { medianMs?: number; samples: number; unrecovered: number; band?: Band }
  /** DORA has no bands for rework rate. */
  reworkRate: { rework: number; total: number; rate?: number; deploymentIds: string[] }
  weeks: WeekPoint[]
}

export interface DoraReport {
  environment: string
  window: TimeWindow
  pipelines: DoraMetrics[]
}

const DEFAULT_FIX_WINDOW_MS = DAY_MS
const HOTFIX_BRANCH = /^hotfix[/-]/i

/**
 * DORA metrics of each pipeline's deployments to one environment over a window, from the store's
 * deployment records (and the deploy stages' records, for failed verification). docs/insight.md
 * defines each figure; the rules in short:
 * - a *deployment* is a `deploy` record that put its version live (outcome `succeeded`, or
 *   `rolled-back`: live until a rollback or an aborted canary took it back), finished in the window;
 * - it *failed* when it was rolled back (either way), its stage failed after it went live
 *   (verification), or a hotfix (a deployment from a `hotfix/…` branch) followed within the fix window;
 * - it *recovered* at the next succeeded deployment or rollback of the environment that did not fail itself;
 * - a deployment is *rework* when it is a hotfix, or the first after a failure within the fix window.
 */
export async function computeDora(store: Store, options: DoraOptions): Promise<DoraReport> {
  const environment = options.environment ?? 'production'
  const all = (await store.listDeployments({ environment })).sort((a, b) => a.finishedAt - b.finishedAt || a.id.localeCompare(b.id))
  const stages = await stageLookup(store, all)
  const pipelines = [...new Set(all.filter((d) => d.kind === 'deploy' && inWindow(d.finishedAt, options.window)).map((d) => d.pipeline))]
  const chosen = options.pipeline ? [options.pipeline] : pipelines.sort()
  return { environment, window: options.window, pipelines: chosen.map((p) => metricsOf(p, environment, all, stages, options)) }
}

type StageLookup = (d: DeploymentRecord) => StageRecord | undefined

async function stageLookup(store: Store, deployments: DeploymentRecord[]): Promise<StageLookup> {
  const byRun = new Map<string, StageRecord[]>()
  for (const runId of new Set(deployments.map((d) => d.runId))) byRun.set(runId, await store.getStages(runId))
  return (d) => byRun.get(d.runId)?.find((s) => s.stageId === d.stageId)
}

function wentLive(d: DeploymentRecord): boolean {
  return d.kind === 'deploy' && (d.outcome === 'succeeded' || d.outcome === 'rolled-back')
}

/** Its stage failed although the deployment itself succeeded: a gate or check after it went live said no. */
function failedVerification(d: DeploymentRecord, stage: StageRecord | undefined): boolean {
  if (d.outcome !== 'succeeded' || !stage) return false
  return stage.status === 'failed' || (stage.gates ?? []).some((g) => g.verdict === 'fail')
}

interface Judged {
  d: DeploymentRecord
  reasons: FailureReason[]
  hotfix: boolean
  rework: boolean
}

function judge(live: DeploymentRecord[], all: DeploymentRecord[], stage: StageLookup, fixWindow: number, hotfixBranch: RegExp): Judged[] {
  const rolledBack = new Set(all.filter((r) => r.kind === 'rollback' && r.outcome !== 'failed' && r.replaces).map((r) => r.replaces!))
  const judged = live.map((d): Judged => {
    const reasons: FailureReason[] = []
    if (d.outcome === 'rolled-back' || d.rolledBackBy || rolledBack.has(d.id)) reasons.push('rollback')
    if (failedVerification(d, stage(d))) reasons.push('verification')
    return { d, reasons, hotfix: hotfixBranch.test(d.branch ?? ''), rework: false }
  })
  for (let i = 1; i < judged.length; i++) {
    const prev = judged[i - 1]!
    const cur = judged[i]!
    const soon = cur.d.finishedAt - prev.d.finishedAt <= fixWindow
    if (cur.hotfix && soon && !prev.reasons.includes('hotfix')) prev.reasons.push('hotfix')
    cur.rework = cur.hotfix || (soon && prev.reasons.length > 0)
  }
  // A hotfix with no deployment before it in the fix window still fixes something: rework.
  if (judged[0]?.hotfix) judged[0].rework = true
  return judged
}

/** The next succeeded deployment or rollback of the environment after `failure` that did not fail itself. */
function recovery(failure: DeploymentRecord, all: DeploymentRecord[], failed: Set<string>): DeploymentRecord | undefined {
  return all.find((r) => r.finishedAt > failure.finishedAt && r.id !== failure.id && r.outcome === 'succeeded' && !r.rolledBackBy && !failed.has(r.id))
}

function metricsOf(pipeline: string, environment: string, all: DeploymentRecord[], stage: StageLookup, options: DoraOptions): DoraMetrics {
  const { window } = options
  // Judged over the whole history: a failure is known by what came after it, maybe after the window.
  const live = all.filter((d) => d.pipeline === pipeline && wentLive(d))
  const judged = judge(live, all, stage, options.fixWindowMs ?? DEFAULT_FIX_WINDOW_MS, options.hotfixBranch ?? HOTFIX_BRANCH)
  const failedIds = new Set(judged.filter((j) => j.reasons.length > 0).map((j) => j.d.id))
  const inside = judged.filter((j) => inWindow(j.d.finishedAt, window))
  const failures = inside.filter((j) => j.reasons.length > 0).map((j): DeploymentFailure => {
    const healthy = recovery(j.d, all, failedIds)
    return { deploymentId: j.d.id, version: j.d.version, finishedAt: j.d.finishedAt, reasons: j.reasons, ...(healthy ? { recoveredAt: healthy.finishedAt, recoveredBy: healthy.id } : {}) }
  })
  const leads = inside.filter((j) => j.d.commitAt !== undefined).map((j) => j.d.finishedAt - j.d.commitAt!)
  const recoveries = failures.filter((f) => f.recoveredAt !== undefined).map((f) => f.recoveredAt! - f.finishedAt)
  const days = (window.to - window.from) / DAY_MS
  const total = inside.length
  const perDay = total / days
  const leadMedian = median(leads)
  const recoveryMedian = median(recoveries)
  const rework = inside.filter((j) => j.rework)
  return {
    pipeline,
    environment,
    window,
    deployments: total,
    deploymentFrequency: { perDay, perWeek: perDay * 7, ...(total > 0 ? { band: frequencyBand(perDay) } : {}) },
    leadTime: { ...(leadMedian !== undefined ? { medianMs: leadMedian, band: leadTimeBand(leadMedian) } : {}), samples: leads.length, withoutCommitTime: total - leads.length },
    changeFailureRate: { failed: failures.length, total, ...(total > 0 ? { rate: failures.length / total, band: changeFailureBand(failures.length / total) } : {}), failures },
    recoveryTime: { ...(recoveryMedian !== undefined ? { medianMs: recoveryMedian, band: recoveryBand(recoveryMedian) } : {}), samples: recoveries.length, unrecovered: failures.length - recoveries.length },
    reworkRate: { rework: rework.length, total, ...(total > 0 ? { rate: rework.length / total } : {}), deploymentIds: rework.map((j) => j.d.id) },
    weeks: weekly(inside, window),
  }
}

function weekly(inside: Judged[], window: TimeWindow): WeekPoint[] {
  return weeksOf(window).map((start) => {
    const of = inside.filter((j) => j.d.finishedAt >= start && j.d.finishedAt < start + 7 * DAY_MS)
    const lead = median(of.filter((j) => j.d.commitAt !== undefined).map((j) => j.d.finishedAt - j.d.commitAt!))
    return {
      week: new Date(start).toISOString().slice(0, 10),
      deployments: of.length,
      failures: of.filter((j) => j.reasons.length > 0).length,
      ...(lead !== undefined ? { leadTimeHours: Math.round((lead / 3_600_000) * 100) / 100 } : {}),
    }
  })
}
