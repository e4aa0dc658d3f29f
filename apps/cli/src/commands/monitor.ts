import type { Command } from 'commander'
import { dirname } from 'node:path'
import { closeQuietly, openEngine, openStore, resolvePipelineFile, type CommandContext } from '../context.js'
import { onInterrupt } from '../interrupt.js'
import { println } from '../io.js'
import { collect, parseVars } from '../options.js'
import { action, type CliRuntime } from './action.js'

interface MonitorFlags {
  file?: string
  var?: string[]
}

/** `pipewright monitor <env>`: continuous monitoring of an environment's `monitors:` until Ctrl-C. */
async function monitor(ctx: CommandContext, environment: string, flags: MonitorFlags): Promise<number> {
  const file = await resolvePipelineFile(ctx, flags.file)
  const dir = dirname(file)
  const { store, home } = await openStore(ctx, dir)
  const engine = await openEngine(ctx, store, dir, { home })
  const controller = new AbortController()
  const removeInterrupt = onInterrupt(() => controller.abort())
  const print = (line: string) => println(ctx.io.stdout, `${new Date().toISOString().slice(11, 19)} ${line}`)
  const off = engine.onAny((type, payload) => {
    const p = payload as { environment?: string; reason?: string; outcome?: string; action?: string; attempt?: number; max?: number; unhealthyForMs?: number }
    if (p.environment !== environment) return
    if (type === 'environment:unhealthy') print(ctx.c.red(`UNHEALTHY ${environment}: ${p.reason}`))
    else if (type === 'environment:recovered') print(ctx.c.green(`RECOVERED ${environment} after ${Math.round((p.unhealthyForMs ?? 0) / 1000)} s`))
    else if (type === 'environment:healing') print(`healing ${environment}: ${p.action} ${p.attempt} of ${p.max} ${p.outcome}${p.outcome === 'gave-up' ? ` — ${p.reason}` : ''}`)
  })
  try {
    const vars = parseVars(flags.var) ?? {}
    await engine.watchEnvironment(await engine.load(file), environment, { signal: controller.signal, vars, log: print })
    return 0
  } finally {
    off()
    removeInterrupt()
    await closeQuietly(engine, store)
  }
}

export function registerMonitor(program: Command, rt: CliRuntime): void {
  program
    .command('monitor')
    .description("Watch an environment continuously with its `monitors:` until Ctrl-C: health history, alerts when it turns unhealthy and recovers, healing with limits")
    .argument('<environment>', 'an environment of the pipeline that declares `monitors:`')
    .option('-f, --file <file>', 'pipeline file declaring the environment (default: pipewright.yml found from the current directory)')
    .option('--var <name=value>', 'set ${{ vars.name }} for the url and monitors (repeatable)', collect)
    .addHelpText('after', `
Each sample is stored as the environment's health history (pipewright envs shows the latest).
After \`unhealthy-after\` failed measurements in a row the environment is unhealthy
(environment:unhealthy, which notification routes can send); the \`healing\` action (restart:
the serving version deployed again; rollback) runs after a doubling back-off, at most \`max\`
times, then the monitor stops acting and alerts a person. Healing runs are ordinary deployment
runs: they take the environment's lock and are recorded.

Examples:
  $ pipewright monitor production
  $ pipewright monitor staging -f examples/hello-service/pipewright.yml --var staging_port=8101`)
    .action(action(rt, (ctx, environment: string, flags: MonitorFlags) => monitor(ctx, environment, flags)))
}
