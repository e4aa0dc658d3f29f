import type { Command } from 'commander'
import { closeQuietly, openExistingStore, type CommandContext } from '../context.js'
import { formatTime } from '../format.js'
import { println } from '../io.js'
import { parseDurationOption } from '../options.js'
import { action, type CliRuntime } from './action.js'

interface PruneFlags {
  file?: string
  keep: string
  json?: boolean
}

async function prune(ctx: CommandContext, flags: PruneFlags): Promise<number> {
  const keepMs = parseDurationOption('--keep', flags.keep)
  const { store, home } = await openExistingStore(ctx, flags.file)
  const before = Date.now() - keepMs
  if (!store) {
    println(ctx.io.stdout, flags.json ? JSON.stringify({ runs: 0, before, home }) : `Nothing to prune: there is no store at ${home}.`)
    return 0
  }
  try {
    const { runs } = await store.pruneRuns({ finishedBefore: before })
    if (flags.json) println(ctx.io.stdout, JSON.stringify({ runs, before, home }))
    else println(ctx.io.stdout, `Removed ${runs} run${runs === 1 ? '' : 's'} finished before ${formatTime(before)} from ${home} (running, queued and interrupted runs are kept).`)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

export function registerPrune(program: Command, rt: CliRuntime): void {
  program
    .command('prune')
    .description('Remove finished runs older than a retention period, with their logs, events and records')
    .option('-f, --file <file>', 'the pipeline whose store to prune (default: found from the current directory)')
    .option('--keep <duration>', 'keep runs that finished within this long, e.g. 30d or 12h', '30d')
    .option('--json', 'print { runs, before, home } as JSON')
    .addHelpText(
      'after',
      `
Running, queued and interrupted runs are never removed (they may still be resumed), and cache
entries stay: a later run can still be served from the cache.

Examples:
  $ pipewright prune --keep 30d
  $ pipewright prune --keep 12h --json`,
    )
    .action(action(rt, (ctx, flags: PruneFlags) => prune(ctx, flags)))
}
