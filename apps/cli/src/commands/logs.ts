import { didYouMean, type LogLine, type RunRecord, type RunsApi } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { setTimeout as sleep } from 'node:timers/promises'
import { closeQuietly, openExistingStore, type CommandContext } from '../context.js'
import { onInterrupt } from '../interrupt.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'
import { findRun, noStoreError, runsOf } from './find-run.js'
import { EXAMPLE_RUN_ID } from '../examples.js'

const POLL_MS = 250
const PAGE = 1000
const FINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted'])

/** `test` also matches its matrix instances `test[node=20]`. */
function stageMatcher(stage: string | undefined): (line: LogLine) => boolean {
  if (!stage) return () => true
  return (l) => l.stageId === stage || l.stageId.startsWith(`${stage}[`)
}

/** Stage ids a `logs` stage argument may name: each stage, and each matrix instance after its stage. */
function stageIds(run: RunRecord): string[] {
  return [...new Set(run.plan.stages.flatMap((s) => [s.stageId, s.id]))]
}

/** An unknown stage would print nothing and exit 0, which looks like a stage without output. */
function checkStage(run: RunRecord, stage: string): void {
  const ids = stageIds(run)
  if (ids.includes(stage)) return
  throw new PipewrightError('PW_ERR_STAGE_NOT_FOUND', `Run ${run.id} has no stage ${stage}.${didYouMean(stage, ids)}`, {
    details: `Its stages are: ${ids.join(', ')}.`,
  })
}

/** Prints every line after `afterSeq`, page by page; returns the last seq seen. */
async function drain(
  ctx: CommandContext,
  runs: RunsApi,
  runId: string,
  afterSeq: number | undefined,
  keep: (l: LogLine) => boolean,
  prefixed: boolean,
): Promise<number | undefined> {
  let last = afterSeq
  for (;;) {
    const page = await runs.logs(runId, { ...(last === undefined ? {} : { afterSeq: last }), limit: PAGE })
    for (const l of page) {
      last = last === undefined ? l.seq : Math.max(last, l.seq)
      if (!keep(l)) continue
      println(ctx.io.stdout, prefixed ? `${ctx.c.dim(`${l.stageId} │`)} ${l.line}` : l.line)
    }
    if (page.length < PAGE) return last
  }
}

interface LogsFlags {
  file?: string
  follow?: boolean
}

async function logs(ctx: CommandContext, id: string, stage: string | undefined, flags: LogsFlags): Promise<number> {
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) throw noStoreError(id, home)
  try {
    const runs = runsOf(store)
    const run = await findRun(runs, id, home)
    if (stage !== undefined) checkStage(run, stage)
    const keep = stageMatcher(stage)
    const prefixed = !stage || run.plan.stages.some((s) => s.stageId === stage && s.id !== stage)
    let last = await drain(ctx, runs, run.id, undefined, keep, prefixed)
    if (!flags.follow) return 0

    let stopped = false
    const stopListening = onInterrupt(() => (stopped = true))
    try {
      // Another process writes the run; the store is the only channel, so poll it until the run ends.
      while (!stopped) {
        // A writer killed with -9 never says so: the read API notices dead owners.
        const status = (await runs.get(run.id))?.status
        last = await drain(ctx, runs, run.id, last, keep, prefixed)
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
    .option('-f, --file <file>', "look in the store of this pipeline file's directory (default: the pipewright.yml found from the current directory)")
    .option('--follow', 'keep printing new lines until the run ends')
    .addHelpText(
      'after',
      `
Examples:
  $ pipewright logs ${EXAMPLE_RUN_ID}
  $ pipewright logs ${EXAMPLE_RUN_ID} test
  $ pipewright logs ${EXAMPLE_RUN_ID} --follow
  $ pipewright logs ${EXAMPLE_RUN_ID} build -f examples/hello-service/pipewright.yml`,
    )
    .action(action(rt, (ctx, id: string, stage: string | undefined, flags: LogsFlags) => logs(ctx, id, stage, flags)))
}
