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

interface Assessment {
  score: number
  decision: string
  environment: string
  approvalAt: number
  blockAt: number
  at: number
  current?: { version: string; commit?: string }
  factors: Array<{ name: string; contribution: number; detail: string }>
}

const KIND = 'risk.assessment'

async function risk(ctx: CommandContext, target: string, flags: RiskFlags): Promise<number> {
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `No risk assessments: there is no store at ${home}`, { details: 'Run a pipeline with a risk/assess gate first.' })
  try {
    const { RunsApi } = await import('@pipewright/core')
    const runs = new RunsApi(store)
    let found: Array<{ runId: string; stageId: string; data: Assessment }> = []
    const run = await runs.find(target).catch(() => undefined)
    if (run) found = (await store.findRecords({ pipeline: run.pipeline, kind: KIND, runId: run.id })).map((r) => ({ ...r, data: r.data as Assessment }))
    else {
      // An environment: the newest assessment for it in any pipeline of this store.
      const pipelines = [...new Set((await store.listRuns({ limit: 200 })).map((r) => r.pipeline))]
      const all = (await Promise.all(pipelines.map((pipeline) => store.findRecords({ pipeline, kind: KIND, limit: 50 })))).flat()
      const newest = all.filter((r) => (r.data as Assessment).environment === target).sort((a, b) => b.createdAt - a.createdAt)[0]
      if (newest) found = [{ ...newest, data: newest.data as Assessment }]
    }
    if (found.length === 0) {
      throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `No risk assessment for ${target}: it is neither a run with a risk/assess gate nor an environment one assessed`, {
        details: 'Pass a run id (`pipewright runs`) or an environment name; add a risk/assess gate before the deploy to get assessments.',
      })
    }
    if (flags.json) {
      println(ctx.io.stdout, JSON.stringify(found.map((f) => ({ runId: f.runId, stageId: f.stageId, ...f.data })), null, 2))
      return 0
    }
    for (const { runId, stageId, data: a } of found) {
      println(ctx.io.stdout, `risk ${a.score}/100 for ${a.environment}: ${a.decision} (approval at ${a.approvalAt}, block at ${a.blockAt}) · run ${runId} ${stageId} · ${formatTime(a.at)}`)
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
