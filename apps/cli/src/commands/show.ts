import type { RunRecord, StageRecord, StoredEvent } from '@pipewright/core'
import type { Command } from 'commander'
import { closeQuietly, openExistingStore, type CommandContext } from '../context.js'
import { colorStatus, formatDuration, formatTime, statusSymbol } from '../format.js'
import { println } from '../io.js'
import { finishedDetail } from '../render/plain-renderer.js'
import { reasonLines } from '../render/stage-reason.js'
import { action, type CliRuntime } from './action.js'
import { findRun, noStoreError, runsOf } from './find-run.js'
import { EXAMPLE_RUN_ID, EXAMPLE_RUN_PREFIX } from '../examples.js'

const EVIDENCE_CHARS = 120

/** One line of gate evidence: its own `summary` if it has one, else compact JSON, clipped. */
export function summarizeEvidence(evidence: unknown): string {
  if (evidence === undefined || evidence === null) return ''
  const summary = typeof evidence === 'object' && typeof (evidence as { summary?: unknown }).summary === 'string' ? (evidence as { summary: string }).summary : undefined
  const text = typeof evidence === 'string' ? evidence : (summary ?? JSON.stringify(evidence))
  return text.length > EVIDENCE_CHARS ? `${text.slice(0, EVIDENCE_CHARS - 1)}…` : text
}

/** Stages in plan order; planned stages without a record yet show as pending. */
function orderedStages(run: RunRecord, records: StageRecord[]): StageRecord[] {
  const byId = new Map(records.map((r) => [r.stageId, r]))
  const ordered: StageRecord[] = run.plan.stages.map(
    (s) => byId.get(s.id) ?? { runId: run.id, stageId: s.id, status: 'pending', attempts: 0, exitCode: null, outputs: {} },
  )
  const planned = new Set(run.plan.stages.map((s) => s.id))
  return [...ordered, ...records.filter((r) => !planned.has(r.stageId))]
}

/** One notification delivery of a run, as `notification:sent` / `notification:failed` recorded it. */
export interface DeliveryView {
  notifier: string
  event: string
  status: 'sent' | 'failed'
  at: number
  error?: { code: string; message: string; details?: string }
}

export function deliveriesOf(events: StoredEvent[]): DeliveryView[] {
  return events
    .filter((e) => e.type === 'notification:sent' || e.type === 'notification:failed')
    .map((e) => {
      const p = e.payload as { notifier: string; event: string; error?: DeliveryView['error'] }
      return { notifier: p.notifier, event: p.event, status: e.type === 'notification:sent' ? 'sent' : 'failed', at: e.at, ...(p.error ? { error: p.error } : {}) }
    })
}

function printDeliveries(ctx: CommandContext, deliveries: DeliveryView[]): void {
  if (deliveries.length === 0) return
  const { c } = ctx
  const failed = deliveries.filter((d) => d.status === 'failed').length
  println(ctx.io.stdout)
  println(ctx.io.stdout, `${c.bold('notifications')} ${c.dim(`${deliveries.length - failed} sent${failed ? `, ${failed} failed` : ''}`)}`)
  for (const d of deliveries) {
    const mark = d.status === 'sent' ? statusSymbol('succeeded', c) : statusSymbol('failed', c)
    println(ctx.io.stdout, `${mark} ${d.notifier} ${c.dim(d.event)}${d.error ? ` ${c.red(`failed: ${d.error.message}`)}` : ''}`)
  }
}

function printRun(ctx: CommandContext, run: RunRecord, stages: StageRecord[], deliveries: DeliveryView[]): void {
  const { c } = ctx
  const out = (line = '') => println(ctx.io.stdout, line)
  const duration = run.startedAt !== undefined && run.finishedAt !== undefined ? formatDuration(run.finishedAt - run.startedAt) : '–'
  out(`${statusSymbol(run.status, c)} ${c.bold(run.pipeline)} ${colorStatus(run.status, c)} ${c.dim(`in ${duration}`)}`)
  out(`  run       ${run.id}`)
  if (run.file) out(`  file      ${run.file}`)
  out(`  started   ${formatTime(run.startedAt ?? run.createdAt)}${run.trigger ? ` · trigger ${run.trigger}` : ''}`)
  if (run.branch || run.sha) out(`  commit    ${run.branch ?? ''}${run.sha ? ` @ ${run.sha.slice(0, 12)}` : ''}`)
  if (run.resumes) out(`  resumed   ${run.resumes}×`)
  if (run.waiting) out(`  waiting   ${c.yellow(run.waiting)}`)
  out()
  for (const s of stages) {
    const attempts = s.attempts > 1 ? ` · ${s.attempts} attempts` : ''
    const timing = s.durationMs !== undefined ? ` · ${formatDuration(s.durationMs)}` : ''
    const detail = s.status === 'pending' ? ' pending' : finishedDetail(s)
    out(`${statusSymbol(s.status, c)} ${c.bold(s.stageId)}${detail}${c.dim(`${attempts}${timing}`)}`)
    for (const [k, v] of Object.entries(s.outputs)) out(`    ${c.dim('output')} ${k}=${v}`)
    for (const g of s.gates ?? []) {
      const verdict = g.verdict === 'pass' ? c.green(g.verdict) : g.verdict === 'fail' ? c.red(g.verdict) : c.yellow(g.verdict)
      const evidence = summarizeEvidence(g.evidence)
      out(`    ${c.dim('gate')} ${g.gate}: ${verdict}${g.reason ? ` — ${g.reason}` : ''}${evidence ? c.dim(` (evidence: ${evidence})`) : ''}`)
    }
    if (s.status === 'waiting' && s.waiting) {
      const until = s.waiting.deadline !== undefined ? `, gives up at ${formatTime(s.waiting.deadline)}` : ''
      out(`    ${c.yellow('waiting')} ${s.waiting.reason} ${c.dim(`(${s.waiting.kind}, since ${formatTime(s.waiting.since)}${until})`)}`)
    }
    for (const line of reasonLines(s, detail, c)) out(`    ${line}`)
  }
  printDeliveries(ctx, deliveries)
  if (run.status === 'interrupted' || run.status === 'failed' || run.status === 'cancelled') {
    out()
    out(c.dim(`resume: pipewright run --resume ${run.id}`))
  }
}

interface ShowFlags {
  file?: string
  json?: boolean
}

async function show(ctx: CommandContext, id: string, flags: ShowFlags): Promise<number> {
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) throw noStoreError(id, home)
  try {
    const runs = runsOf(store)
    const run = await findRun(runs, id, home)
    const stages = orderedStages(run, await runs.stages(run.id))
    const notifications = deliveriesOf(await runs.events(run.id))
    if (flags.json) println(ctx.io.stdout, JSON.stringify({ run, stages, notifications }, null, 2))
    else printRun(ctx, run, stages, notifications)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

export function registerShow(program: Command, rt: CliRuntime): void {
  program
    .command('show')
    .description('Show one run: its stages, statuses, attempts, durations, outputs, gate verdicts, summaries and notification deliveries')
    .argument('<run>', 'run id (or a unique prefix of it)')
    .option('-f, --file <file>', "look in the store of this pipeline file's directory (default: the pipewright.yml found from the current directory)")
    .option('--json', 'print JSON ({ run, stages, notifications })')
    .addHelpText(
      'after',
      `
Examples:
  $ pipewright show ${EXAMPLE_RUN_ID}
  $ pipewright show ${EXAMPLE_RUN_ID} -f examples/hello-service/pipewright.yml
  $ pipewright show ${EXAMPLE_RUN_PREFIX} --json | jq '.stages[] | {stageId, status}'
  $ pipewright show ${EXAMPLE_RUN_PREFIX} --json | jq '.notifications[] | select(.status == "failed")'`,
    )
    .action(action(rt, (ctx, id: string, flags: ShowFlags) => show(ctx, id, flags)))
}
