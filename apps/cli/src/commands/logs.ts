import { markInterruptedRuns, type LogLine, type Store } from '@pipewright/core'
import type { Command } from 'commander'
import { setTimeout as sleep } from 'node:timers/promises'
import { closeQuietly, openStore, type CommandContext } from '../context.js'
import { onInterrupt } from '../interrupt.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'
import { findRun } from './find-run.js'

const POLL_MS = 250
const PAGE = 1000
const FINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted'])

/** `test` also matches its matrix instances `test[node=20]`. */
function stageMatcher(stage: string | undefined): (line: LogLine) => boolean {
  if (!stage) return () => true
  return (l) => l.stageId === stage || l.stageId.startsWith(`${stage}[`)
}

/** Prints every line after `afterSeq`, page by page; returns the last seq seen. */
async function drain(
  ctx: CommandContext,
  store: Store,
  runId: string,
  afterSeq: number | undefined,
  keep: (l: LogLine) => boolean,
  prefixed: boolean,
): Promise<number | undefined> {
  let last = afterSeq
  for (;;) {
    const page = await store.getLogs(runId, { ...(last === undefined ? {} : { afterSeq: last }), limit: PAGE })
    for (const l of page) {
      last = last === undefined ? l.seq : Math.max(last, l.seq)
      if (!keep(l)) continue
      println(ctx.io.stdout, prefixed ? `${ctx.c.dim(`${l.stageId} │`)} ${l.line}` : l.line)
    }
    if (page.length < PAGE) return last
  }
}

async function logs(ctx: CommandContext, id: string, stage: string | undefined, flags: { follow?: boolean }): Promise<number> {
  const { store } = await openStore(ctx)
  try {
    const run = await findRun(store, id)
    const keep = stageMatcher(stage)
    const prefixed = !stage || run.plan.stages.some((s) => s.stageId === stage && s.id !== stage)
    let last = await drain(ctx, store, run.id, undefined, keep, prefixed)
    if (!flags.follow) return 0

    let stopped = false
    const stopListening = onInterrupt(() => (stopped = true))
    try {
      // Another process writes the run; the store is the only channel, so poll it until the run ends.
      for (let poll = 1; !stopped; poll++) {
        // A writer killed with -9 never says so: notice dead owners now and then.
        if (poll % 8 === 0) await markInterruptedRuns(store)
        const status = (await store.getRun(run.id))?.status
        last = await drain(ctx, store, run.id, last, keep, prefixed)
        if (status === undefined || FINAL.has(status)) break
        await sleep(POLL_MS)
      }
    } finally {
      stopListening()
    }
    return 0
  } finally {
    await closeQuietly(store)
  }
}

export function registerLogs(program: Command, rt: CliRuntime): void {
  program
    .command('logs')
    .description("Print a run's logs (all stages, or one), optionally following a run in progress")
    .argument('<run>', 'run id (or a unique prefix of it)')
    .argument('[stage]', 'only this stage (a matrix stage includes all its instances)')
    .option('--follow', 'keep printing new lines until the run ends')
    .addHelpText(
      'after',
      `
Examples:
  $ pipewright logs 01J2ZK8M3Q
  $ pipewright logs 01J2ZK8M3Q test
  $ pipewright logs 01J2ZK8M3Q --follow`,
    )
    .action(action(rt, (ctx, id: string, stage: string | undefined, flags: { follow?: boolean }) => logs(ctx, id, stage, flags)))
}
