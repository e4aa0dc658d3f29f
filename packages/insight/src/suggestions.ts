import { formatDuration, formatMinutes, percent } from './duration.js'
import type { ProcessReview } from './review.js'

/** One finding with what to do about it; `numbers` are the figures the text quotes. */
export interface Suggestion {
  kind: 'cache-rerun' | 'cache-miss' | 'slower-stage' | 'waiting' | 'flaky-test' | 'timeouts' | 'infrastructure' | 'cpu'
  subject: string
  text: string
  numbers: Record<string, number>
}

/** When a pattern is worth a suggestion (docs/insight.md lists them). */
export const THRESHOLDS = {
  rerunsUnchanged: 3,
  cacheLookups: 5,
  cacheHitRate: 0.5,
  slowerChange: 0.25,
  slowerRuns: 4,
  waitMs: { approval: 30 * 60_000, lock: 10 * 60_000, queue: 10 * 60_000, other: 30 * 60_000 },
  flakyRuns: 2,
  timeouts: 2,
  infrastructure: 2,
  cpuShare: 0.5,
  cpuMs: 10 * 60_000,
} as const

type Review = Omit<ProcessReview, 'suggestions'>

export function suggest(review: Review): Suggestion[] {
  return [...cacheSuggestions(review), ...slowerStages(review), ...waitSuggestions(review), ...flakySuggestions(review), ...failureSuggestions(review), ...cpuSuggestions(review)]
}

function cacheSuggestions(review: Review): Suggestion[] {
  const out: Suggestion[] = []
  for (const c of review.cache) {
    if (c.rerunsUnchanged >= THRESHOLDS.rerunsUnchanged) {
      const fix = c.hits + c.misses > 0 ? 'its entries were missing (pruned, or runs with --no-cache): keep them longer' : 'give it `cache:` with the files it reads'
      out.push({ kind: 'cache-rerun', subject: c.stageId, numbers: { runs: c.rerunsUnchanged, ms: c.rerunMs }, text: `cache \`${c.stageId}\`: ${c.rerunsUnchanged} runs re-ran it with unchanged inputs, ${formatMinutes(c.rerunMs)} in all; ${fix}.` })
    }
    const lookups = c.hits + c.misses
    if (lookups >= THRESHOLDS.cacheLookups && c.hitRate !== undefined && c.hitRate < THRESHOLDS.cacheHitRate) {
      out.push({ kind: 'cache-miss', subject: c.stageId, numbers: { hits: c.hits, lookups }, text: `cache \`${c.stageId}\` hit ${c.hits} of ${lookups} times (${percent(c.hitRate)}): its key changes nearly every run; narrow its \`cache.inputs\` to the files it really reads.` })
    }
  }
  return out
}

function slowerStages(review: Review): Suggestion[] {
  return review.slowestStages
    .filter((s) => s.trend && s.runs >= THRESHOLDS.slowerRuns && s.trend.change >= THRESHOLDS.slowerChange)
    .map((s) => ({
      kind: 'slower-stage' as const,
      subject: s.stageId,
      numbers: { earlierMs: s.trend!.earlierMs, laterMs: s.trend!.laterMs, change: s.trend!.change },
      text: `\`${s.stageId}\` got slower: median ${formatDuration(s.trend!.earlierMs)} → ${formatDuration(s.trend!.laterMs)} (+${percent(s.trend!.change)}) from the first half of the window to the second; look at what changed around the middle (its logs: pipewright logs <run> ${s.stageId}).`,
    }))
}

const WAIT_FIX: Record<string, string> = {
  approval: 'add approvers, or route approval requests to where they are seen (notifications)',
  lock: 'deployments queue behind each other: keep the locked part short (verification in the stage holds the lock)',
  queue: 'runs waited for a free slot: raise `maxRuns` or run on more workers',
}

function waitSuggestions(review: Review): Suggestion[] {
  return review.waiting
    .filter((w) => w.totalMs >= ((THRESHOLDS.waitMs as Record<string, number>)[w.kind] ?? THRESHOLDS.waitMs.other))
    .map((w) => {
      const top = w.byStage[0]!
      return {
        kind: 'waiting' as const,
        subject: w.kind,
        numbers: { waits: w.waits, totalMs: w.totalMs, medianMs: w.medianMs },
        text: `waiting on ${w.kind}: ${w.waits} waits, ${formatDuration(w.totalMs)} in all (median ${formatDuration(w.medianMs)}; most at \`${top.stageId}\`); ${WAIT_FIX[w.kind] ?? 'check what it waits for'}.`,
      }
    })
}

function flakySuggestions(review: Review): Suggestion[] {
  return review.flakyTests
    .filter((t) => t.runs >= THRESHOLDS.flakyRuns)
    .map((t) => ({ kind: 'flaky-test' as const, subject: t.id, numbers: { runs: t.runs }, text: `flaky test \`${t.id}\`: failed and then passed with nothing changed in ${t.runs} runs (${t.stages.join(', ')}); fix it or quarantine it.` }))
}

function failureSuggestions(review: Review): Suggestion[] {
  const out: Suggestion[] = []
  const timeouts = review.failures.find((f) => f.class === 'timeout')
  for (const s of timeouts?.stages ?? []) {
    if (s.count >= THRESHOLDS.timeouts) out.push({ kind: 'timeouts', subject: s.stageId, numbers: { count: s.count }, text: `\`${s.stageId}\` timed out ${s.count} times: raise its \`timeout:\` or find what makes it hang.` })
  }
  const infra = review.failures.find((f) => f.class === 'infrastructure')
  if (infra && infra.count >= THRESHOLDS.infrastructure) {
    out.push({ kind: 'infrastructure', subject: infra.stages.map((s) => s.stageId).join(', '), numbers: { count: infra.count }, text: `${infra.count} failures came from infrastructure, not the code (${infra.codes.join(', ') || 'commands not found'}); check the agent, the store and the tools on the machine (pipewright doctor).` })
  }
  return out
}

function cpuSuggestions(review: Review): Suggestion[] {
  const total = review.cpuByStage.reduce((n, s) => n + s.cpuMs, 0)
  const top = review.cpuByStage[0]
  if (!top || top.cpuMs < THRESHOLDS.cpuMs || top.cpuMs / total < THRESHOLDS.cpuShare) return []
  return [{ kind: 'cpu', subject: top.stageId, numbers: { cpuMs: top.cpuMs, share: top.cpuMs / total }, text: `\`${top.stageId}\` used ${formatMinutes(top.cpuMs)} of CPU (${percent(top.cpuMs / total)} of all stages) in ${top.attempts} attempts; cache it, or make it do less work per run.` }]
}
