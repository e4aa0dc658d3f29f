import type { Command } from 'commander'
import type { AgentStatus } from '@pipewright/agent'
import { PipewrightError } from '@pipewright/plugin-api'

/** The agent package, loaded only by the agent commands (it brings the proxy and the engine). */
const agent = () => import('@pipewright/agent')
import { resolvePipelineFile, storeHome, type CommandContext } from '../context.js'
import { hostAgentWatches, type AgentWatches } from './agent-watches.js'
import { formatDuration, formatTime, table } from '../format.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

interface AgentFlags {
  file?: string
  json?: boolean
  all?: boolean
  plugin?: string[]
}

function render(ctx: CommandContext, status: AgentStatus): void {
  const { c } = ctx
  const a = status.agent
  println(ctx.io.stdout, `agent ${a.version} · pid ${a.pid} · up ${formatDuration(Date.now() - a.startedAt)} · ${a.socket}`)
  println(ctx.io.stdout, c.dim(`targets: ${a.targets.join(', ') || '(none)'}`))
  if (status.environments.length === 0) return println(ctx.io.stdout, 'No environments yet: the first deploy creates one.')
  for (const e of status.environments) {
    const state = e.state === 'serving' ? c.green(e.state) : e.state === 'degraded' || e.state === 'stopped' ? c.yellow(e.state) : e.state === 'down' ? c.red(e.state) : e.state
    println(ctx.io.stdout, '')
    println(ctx.io.stdout, `${c.bold(e.name)}  ${e.url}  ${state}  ${e.version ?? '–'}${e.previousVersion ? c.dim(` (previous ${e.previousVersion})`) : ''}  ${e.target}`)
    println(ctx.io.stdout, c.dim(`  traffic: stable ${e.traffic.stable}%, canary ${e.traffic.canary}% · deployed ${formatTime(e.deployedAt)}`))
    if (e.operation) println(ctx.io.stdout, c.yellow(`  in flight: ${e.operation.kind} of ${e.operation.version} (${e.operation.strategy}, ${e.operation.phase}) since ${formatTime(e.operation.startedAt)}`))
    if (e.lastResult && e.lastResult.outcome !== 'succeeded') println(ctx.io.stdout, c.red(`  last ${e.lastResult.kind} of ${e.lastResult.version} ${e.lastResult.outcome}: ${e.lastResult.error?.message ?? ''}`))
    const rows = [[c.dim('  INSTANCE'), c.dim('VERSION'), c.dim('ROLE'), c.dim('ADDRESS'), c.dim('PROCESS'), c.dim('STATE'), c.dim('HEALTH'), c.dim('RESTARTS'), c.dim('IN FLIGHT')]]
    for (const i of e.instances) {
      const health = i.healthy === undefined ? '–' : i.healthy ? c.green(i.health ?? 'ok') : c.red(i.health ?? 'failing')
      rows.push([`  ${i.id}`, i.version, i.role, i.address, i.pid ? `pid ${i.pid}` : i.containerId ? i.containerId.slice(0, 12) : '–', i.state === 'failed' ? c.red(i.state) : i.state, health, String(i.restarts), String(i.inFlight)])
    }
    for (const line of table(rows)) println(ctx.io.stdout, line)
    for (const i of e.instances.filter((x) => x.lastExit)) println(ctx.io.stdout, c.dim(`  ${i.id}: ${i.lastExit}`))
  }
}

async function status(ctx: CommandContext, flags: AgentFlags): Promise<number> {
  const home = await storeHome(ctx, flags.file)
  if (!(await (await agent()).probeAgent(home))) {
    println(ctx.io.stdout, flags.json ? JSON.stringify({ running: false, home }) : `No deployment agent runs for ${home}.`)
    return 0
  }
  const result = await (await (await agent()).connectAgent(home)).status()
  if (flags.json) println(ctx.io.stdout, JSON.stringify({ running: true, ...result }, null, 2))
  else render(ctx, result)
  return 0
}

async function stop(ctx: CommandContext, flags: AgentFlags): Promise<number> {
  const home = await storeHome(ctx, flags.file)
  const info = await (await agent()).probeAgent(home)
  if (!info) {
    println(ctx.io.stdout, `No deployment agent runs for ${home}.`)
    return 0
  }
  await (await (await agent()).connectAgent(home)).stop({ all: flags.all === true })
  println(ctx.io.stdout, flags.all ? `Stopped the agent (pid ${info.pid}), every router and every instance.` : `Stopped the agent (pid ${info.pid}) and its routers; instances keep running and are adopted by the next agent (\`agent stop --all\` stops them too).`)
  return 0
}

async function start(ctx: CommandContext, flags: AgentFlags): Promise<number> {
  const home = await storeHome(ctx, flags.file)
  // The pipeline whose environments' monitors this agent keeps running (none without a pipeline file).
  const file = flags.file !== undefined ? await resolvePipelineFile(ctx, flags.file) : await resolvePipelineFile(ctx, undefined).catch(() => undefined)
  const { agentPaths, probeAgent, runAgent } = await agent()
  const log = (line: string) => println(ctx.io.stdout, `${formatTime(Date.now())} ${line}`)
  let watches: AgentWatches | undefined
  const running = await runAgent({ home, plugins: flags.plugin ?? [], cwd: ctx.io.cwd, log, beforeStop: () => watches?.close() })
  if (!running) {
    const other = await probeAgent(home)
    throw new PipewrightError('PW_ERR_AGENT_UNAVAILABLE', `An agent already runs for ${home}${other ? ` (pid ${other.pid})` : ''}`, { details: `Stop it first with \`pipewright agent stop\`; its socket is ${agentPaths(home).socket}.` })
  }
  if (file) watches = await hostAgentWatches(ctx, file, home, running, log)
  else log('no pipeline file here: no environment monitors are hosted (pass -f <pipeline file>)')
  await running.closed
  await watches?.close()
  return 0
}

export function registerAgent(program: Command, rt: CliRuntime): void {
  const agent = program
    .command('agent')
    .description('The deployment agent: the long-lived process that runs environments\' routers and supervises deployed instances')
    .addHelpText(
      'after',
      `
The agent of a Pipewright home listens on <home>/agent.sock only (plus each environment's url),
keeps its state in <home>/agent/, and is started by the first deploy.

Examples:
  $ pipewright agent status
  $ pipewright agent stop           # routers stop; instances keep running for the next agent
  $ pipewright agent stop --all     # everything stops
  $ pipewright agent start          # in the foreground, logging to the terminal
  $ pipewright agent start -f deploy/pipewright.yml   # and watch that pipeline's environments

An agent started in the foreground also keeps the \`monitors:\` of the pipeline file's environments
it serves running (health history, alerts through \`notify:\`, healing), one watcher per
environment across agents and servers on the store (a lease per environment). An agent started
by a deploy knows no pipeline file and watches nothing.`,
    )
  const fileOption = ['-f, --file <file>', "use the home of this pipeline file's directory (default: the pipewright.yml found from the current directory)"] as const
  agent
    .command('status')
    .description('Each environment the agent serves: version, instances with health and restarts, traffic, operation in flight')
    .option(...fileOption)
    .option('--json', 'print JSON')
    .action(action(rt, (ctx, flags: AgentFlags) => status(ctx, flags)))
  agent
    .command('stop')
    .description('Stop the agent and its routers (instances keep running), or with --all everything')
    .option(...fileOption)
    .option('--all', 'also stop every instance; environments come back with their next deploy')
    .action(action(rt, (ctx, flags: AgentFlags) => stop(ctx, flags)))
  agent
    .command('start')
    .description("Run the agent in the foreground, keeping the `monitors:` of the pipeline's environments it serves running; Ctrl-C stops it, instances keep running")
    .option(...fileOption)
    .option('--plugin <package>', 'also load this plugin package (or path) for its targets; repeatable', (value: string, list: string[] = []) => [...list, value])
    .action(action(rt, (ctx, flags: AgentFlags) => start(ctx, flags)))
}
