import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { closeQuietly, openExistingStore, type CommandContext } from '../context.js'
import { formatTime, table } from '../format.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

interface RiskFlags {
  file?: string
  json?: boolean
}

async function risk(ctx: CommandContext, target: string, flags: RiskFlags): Promise<number> {
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `No risk assessments: there is no store at ${home}`, { details: 'Run a pipeline with a risk/assess gate first.' })
  try {
    const { RunsApi } = await import('@pipewright/core')
    const { noRiskAssessment, riskOfEnvironment, riskOfRun } = await import('@pipewright/insight')
    const run = await new RunsApi(store).find(target).catch(() => undefined)
    // Not a run: an environment, whose newest assessment in any pipeline of this store is shown.
    const newest = run ? undefined : await riskOfEnvironment(store, target)
    const found = run ? await riskOfRun(store, run) : newest ? [newest] : []
    if (found.length === 0) throw noRiskAssessment(target)
    if (flags.json) {
      println(ctx.io.stdout, JSON.stringify(found, null, 2))
      return 0
    }
    for (const a of found) {
      println(ctx.io.stdout, `risk ${a.score}/100 for ${a.environment}: ${a.decision} (approval at ${a.approvalAt}, block at ${a.blockAt}) · run ${a.runId} ${a.stageId} · ${formatTime(a.at)}`)
      if (a.current) println(ctx.io.stdout, `measured from ${a.current.version}${a.current.commit ? ` @ ${a.current.commit.slice(0, 12)}` : ''}, what ${a.environment} runs`)
      for (const line of table(a.factors.map((f) => [`+${f.contribution}`, f.name, f.detail]))) println(ctx.io.stdout, `  ${line}`)
    }
    return 0
  } finally {
    await closeQuietly(store)
  }
}

export function registerRisk(program: Command, rt: CliRuntime): void {
  program
    .command('risk')
    .description('Print the deployment risk assessment of a run, or the newest one for an environment (from the risk/assess gate)')
    .argument('<run|environment>', 'a run id (or unique prefix), or an environment name')
    .option('-f, --file <file>', 'the pipeline whose store to read (default: found from the current directory)')
    .option('--json', 'print the assessments with every factor and its data')
    .addHelpText('after', `
Each factor shows what it added to the score and the numbers behind it: change size since the
version the environment runs, sensitive paths touched, test and coverage deltas, flaky tests,
the recent change failure rate, time of day and freeze proximity.

Examples:
  $ pipewright risk production
  $ pipewright risk mx2wftp5 --json`)
    .action(action(rt, (ctx, target: string, flags: RiskFlags) => risk(ctx, target, flags)))
}
