import { runsOf } from './find-run.js'
import type { Command } from 'commander'
import { closeQuietly, openExistingStore, type CommandContext } from '../context.js'
import { colorStatus, formatDuration, formatTime, statusSymbol, table } from '../format.js'
import { println } from '../io.js'
import { parsePositiveInt } from '../options.js'
import { action, type CliRuntime } from './action.js'

interface RunsFlags {
  file?: string
  json?: boolean
  limit: string
}

async function listRuns(ctx: CommandContext, flags: RunsFlags): Promise<number> {
  const limit = parsePositiveInt('--limit', flags.limit)
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) {
    println(ctx.io.stdout, flags.json ? '[]' : `No runs yet (no store at ${home}). Start one with \`pipewright run\`.`)
    return 0
  }
  try {
    const { runs } = await runsOf(store).list({ limit: limit ?? 20 })
    if (flags.json) {
      const rows = runs.map((r) => ({
        id: r.id,
        pipeline: r.pipeline,
        status: r.status,
        createdAt: r.createdAt,
        startedAt: r.startedAt ?? null,
        finishedAt: r.finishedAt ?? null,
        durationMs: r.startedAt !== undefined && r.finishedAt !== undefined ? r.finishedAt - r.startedAt : null,
        trigger: r.trigger ?? null,
        branch: r.branch ?? null,
        sha: r.sha ?? null,
        waiting: r.waiting ?? null,
      }))
      println(ctx.io.stdout, JSON.stringify(rows, null, 2))
      return 0
    }
    if (runs.length === 0) {
      println(ctx.io.stdout, 'No runs yet. Start one with `pipewright run`.')
      return 0
    }
    const { c } = ctx
    const rows = [[' ', c.dim('RUN'), c.dim('PIPELINE'), c.dim('STATUS'), c.dim('STARTED'), c.dim('DURATION'), c.dim('TRIGGER')]]
    for (const r of runs) {
      const duration = r.startedAt !== undefined && r.finishedAt !== undefined ? formatDuration(r.finishedAt - r.startedAt) : '–'
      const status = r.waiting && r.status === 'running' ? `${colorStatus('waiting', c)} ${c.dim(`(${r.waiting})`)}` : colorStatus(r.status, c)
      rows.push([statusSymbol(r.waiting && r.status === 'running' ? 'waiting' : r.status, c), r.id, r.pipeline, status, formatTime(r.startedAt ?? r.createdAt), duration, r.trigger ?? '–'])
    }
    for (const line of table(rows)) println(ctx.io.stdout, line)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

export function registerRuns(program: Command, rt: CliRuntime): void {
  program
    .command('runs')
    .description('List recent runs, newest first (runs whose process died show as interrupted)')
    .option('-f, --file <file>', "list the runs in the store of this pipeline file's directory (default: the pipewright.yml found from the current directory)")
    .option('--json', 'print JSON')
    .option('--limit <n>', 'how many runs to show', '20')
    .addHelpText(
      'after',
      `
Examples:
  $ pipewright runs
  $ pipewright runs -f examples/hello-service/pipewright.yml
  $ pipewright runs --limit 5 --json`,
    )
    .action(action(rt, (ctx, flags: RunsFlags) => listRuns(ctx, flags)))
}
