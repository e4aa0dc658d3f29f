import { ackEnvironment, createMemoryStore, describeEnvironments, diffEnvironments, environmentOf, unlockEnvironment, type EnvironmentOverview, type LoadedPipeline } from '@pipewright/core'
import type { DeploymentRecord } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { dirname } from 'node:path'
import { closeQuietly, identityOf, openEngine, openExistingStore, resolvePipelineFile, storeHome, type CommandContext } from '../context.js'
import { formatDuration, formatTime, table } from '../format.js'
import { println } from '../io.js'
import { parsePositiveInt } from '../options.js'
import { action, type CliRuntime } from './action.js'

interface EnvFlags {
  file?: string
  as?: string
  comment?: string
  json?: boolean
  limit?: string
  force?: boolean
}

/** The pipeline (validated, with its environments) of `-f` or the working directory. */
async function loadPipeline(ctx: CommandContext, file: string | undefined): Promise<LoadedPipeline> {
  const path = await resolvePipelineFile(ctx, file)
  const engine = await openEngine(ctx, undefined, dirname(path))
  try {
    return await engine.load(path)
  } finally {
    await closeQuietly(engine)
  }
}

function describeDeployment(d: DeploymentRecord | undefined): string {
  return d ? `${d.version}${d.commit ? ` @ ${d.commit.slice(0, 12)}` : ''} · ${formatTime(d.finishedAt)} · run ${d.runId}` : '–'
}

function renderOverview(ctx: CommandContext, envs: EnvironmentOverview[], agentRuns: boolean): void {
  const { c } = ctx
  const out = (line = '') => println(ctx.io.stdout, line)
  if (envs.length === 0) return out('The pipeline declares no environments (see `environments:` in docs/pipeline-reference.md).')
  for (const e of envs) {
    const live = e.live
    const state = live ? (live.state === 'serving' ? c.green(live.state) : live.state === 'down' ? c.red(live.state) : c.yellow(live.state)) : c.dim(agentRuns ? 'not deployed' : 'agent not running')
    out(`${c.bold(e.name)}  ${live?.url ?? e.url}  ${state}  ${c.dim(e.target)}`)
    out(`  version   ${live?.version ?? e.current?.version ?? '–'}${live?.version && e.current && live.version !== e.current.version ? c.yellow(` (records say ${e.current.version})`) : ''}`)
    out(`  deployed  ${describeDeployment(e.current)}`)
    if (e.last && e.last.id !== e.current?.id) out(`  last      ${e.last.kind} of ${e.last.version} ${e.last.outcome === 'failed' ? c.red(e.last.outcome) : e.last.outcome} · ${formatTime(e.last.finishedAt)}${e.last.error ? ` — ${e.last.error.message}` : ''}`)
    if (live) {
      const healthy = live.instances.filter((i) => i.healthy === true).length
      out(`  health    ${healthy}/${live.instances.length} instance${live.instances.length === 1 ? '' : 's'} healthy${live.operation ? c.yellow(` · in flight: ${live.operation}`) : ''}`)
    }
    renderHealth(ctx, e)
    const holder = e.lock.holder
    out(`  lock      ${holder ? c.yellow(`held by run ${holder.runId} (${holder.stageId}) since ${formatTime(holder.acquiredAt)}, pid ${holder.pid} on ${holder.host}`) : 'free'}`)
    if (e.lock.queue.length > 0) out(`  queue     ${e.lock.queue.map((q, i) => `${i + 1}. run ${q.runId} (${q.stageId})`).join(', ')}`)
    if (e.protection) {
      const p = e.protection
      const rules = [p.approvals > 0 ? `${p.approvals} approval${p.approvals === 1 ? '' : 's'}${p.allowSelfApproval ? '' : ', no self-approval'}` : '', p.branches ? `branches ${p.branches.join(', ')}` : '', p.freeze > 0 ? `${p.freeze} freeze window${p.freeze === 1 ? '' : 's'}` : ''].filter(Boolean)
      if (rules.length > 0) out(`  protect   ${rules.join(' · ')}`)
    }
    out()
  }
}

/** The latest verdict and sample from the store, and the latch an automatic rollback left. */
function renderHealth(ctx: CommandContext, e: EnvironmentOverview): void {
  const { c } = ctx
  const out = (line: string) => println(ctx.io.stdout, line)
  const v = e.health.verdict
  if (v) {
    const text = `${v.verdict ?? (v.healthy ? 'healthy' : 'unhealthy')}${v.advisory ? ' (advisory)' : ''} · ${v.source} · ${formatTime(v.at)}${v.reason ? ` — ${v.reason}` : ''}`
    out(`  verdict   ${v.healthy ? c.green(text) : c.red(text)}`)
  }
  const [sample] = e.health.samples
  if (sample) {
    const values = Object.entries(sample.values ?? {}).map(([k, n]) => `${k}=${n}`).join(' ')
    out(`  sample    ${sample.healthy ? 'healthy' : c.red('unhealthy')} · ${sample.monitor ?? ''} ${values} · ${formatTime(sample.at)}`)
  }
  const latch = e.latch
  if (latch && !latch.ack) out(`  latched   ${c.red(`deploys refused since ${formatTime(latch.latchedAt)}: ${latch.version ?? 'a deployment'} was rolled back automatically — ${latch.reason}`)}; after fixing: pipewright ack ${e.name} --comment "…"`)
  else if (latch?.ack) out(`  latch     acknowledged by ${latch.ack.by} · ${formatTime(latch.ack.at)}${latch.ack.comment ? ` — ${latch.ack.comment}` : ''}`)
}

async function ack(ctx: CommandContext, environment: string, flags: EnvFlags): Promise<number> {
  const pipeline = await loadPipeline(ctx, flags.file)
  environmentOf(pipeline.spec, environment)
  const by = (await identityOf(ctx, flags.as, true))!
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) throw new PipewrightError('PW_ERR_ENVIRONMENT_NOT_LATCHED', `${environment} is not latched (no store at ${home})`)
  try {
    const latch = await ackEnvironment(store, environment, { by, at: Date.now(), ...(flags.comment ? { comment: flags.comment } : {}) })
    println(ctx.io.stdout, `Acknowledged the automatic rollback of ${latch.version ?? 'a deployment'} on ${environment} as ${by}${flags.comment ? `: ${flags.comment}` : ''}. Deploys to ${environment} are allowed again.`)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

async function envs(ctx: CommandContext, flags: EnvFlags): Promise<number> {
  const pipeline = await loadPipeline(ctx, flags.file)
  const home = await storeHome(ctx, flags.file)
  // The agent package loads only here: other commands never pay for it.
  const { createAgentDeployer } = await import('@pipewright/agent')
  const live = await createAgentDeployer({ home }).status!().catch(() => undefined)
  const { store } = await openExistingStore(ctx, flags.file)
  // No store yet: nothing deployed, nothing locked; an empty one answers that without creating a file.
  const memory = store ?? createMemoryStore()
  try {
    const overview = await describeEnvironments(memory, pipeline.spec, live)
    if (flags.json) println(ctx.io.stdout, JSON.stringify({ agent: live !== undefined, environments: overview }, null, 2))
    else renderOverview(ctx, overview, live !== undefined)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

async function history(ctx: CommandContext, environment: string, flags: EnvFlags): Promise<number> {
  const pipeline = await loadPipeline(ctx, flags.file)
  environmentOf(pipeline.spec, environment)
  const limit = parsePositiveInt('--limit', flags.limit) ?? 20
  const { store } = await openExistingStore(ctx, flags.file)
  try {
    const deployments = store ? await store.listDeployments({ environment, limit }) : []
    if (flags.json) {
      println(ctx.io.stdout, JSON.stringify(deployments, null, 2))
      return 0
    }
    if (deployments.length === 0) {
      println(ctx.io.stdout, `No deployments to ${environment} yet.`)
      return 0
    }
    const { c } = ctx
    const rows = [[c.dim('FINISHED'), c.dim('KIND'), c.dim('VERSION'), c.dim('OUTCOME'), c.dim('STRATEGY'), c.dim('COMMIT'), c.dim('BY'), c.dim('APPROVED BY'), c.dim('TOOK'), c.dim('RUN')]]
    for (const d of deployments) {
      const outcome = d.outcome === 'succeeded' ? c.green(d.outcome) : d.outcome === 'failed' ? c.red(d.outcome) : c.yellow(d.outcome)
      rows.push([formatTime(d.finishedAt), d.kind, d.version, outcome, d.strategy, d.commit?.slice(0, 12) ?? '–', d.triggeredBy ?? '–', d.approvedBy.join(', ') || '–', formatDuration(d.finishedAt - d.startedAt), d.runId])
    }
    for (const line of table(rows)) println(ctx.io.stdout, line)
    for (const d of deployments.filter((x) => x.error).slice(0, 3)) println(ctx.io.stdout, c.dim(`${d.version} (${d.id}): ${d.error!.message}`))
    return 0
  } finally {
    await closeQuietly(store)
  }
}

async function diff(ctx: CommandContext, from: string, to: string, flags: EnvFlags): Promise<number> {
  const pipeline = await loadPipeline(ctx, flags.file)
  environmentOf(pipeline.spec, from)
  environmentOf(pipeline.spec, to)
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) throw new PipewrightError('PW_ERR_ENVIRONMENT_NOT_FOUND', `No deployments on record: there is no store at ${home}`, { details: 'Deploy first (a run with deploy: stages).' })
  try {
    const d = await diffEnvironments(store, pipeline.dir, from, to)
    if (flags.json) {
      println(ctx.io.stdout, JSON.stringify(d, null, 2))
      return 0
    }
    const out = (line = '') => println(ctx.io.stdout, line)
    out(`${from} runs ${d.from.deployment.version} @ ${d.from.deployment.commit!.slice(0, 12)}; ${to} runs ${d.to.deployment.version} @ ${d.to.deployment.commit!.slice(0, 12)}`)
    if (d.ahead.length === 0 && d.behind.length === 0) return (out('Both run the same commit.'), 0)
    if (d.ahead.length > 0) {
      out()
      out(`${d.ahead.length} commit${d.ahead.length === 1 ? '' : 's'} in ${from}, not in ${to}:`)
      for (const commit of d.ahead) out(`  ${commit.sha.slice(0, 12)} ${commit.subject} ${ctx.c.dim(`(${commit.author})`)}`)
    }
    if (d.behind.length > 0) {
      out()
      out(`${d.behind.length} commit${d.behind.length === 1 ? '' : 's'} in ${to}, not in ${from}:`)
      for (const commit of d.behind) out(`  ${commit.sha.slice(0, 12)} ${commit.subject} ${ctx.c.dim(`(${commit.author})`)}`)
    }
    return 0
  } finally {
    await closeQuietly(store)
  }
}

async function unlock(ctx: CommandContext, environment: string, flags: EnvFlags): Promise<number> {
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) {
    println(ctx.io.stdout, `${environment} is not locked (no store at ${home}).`)
    return 0
  }
  try {
    const r = await unlockEnvironment(store, environment, { force: flags.force === true, actor: (await identityOf(ctx, undefined, false)) ?? 'unknown' })
    if (r.alive) {
      throw new PipewrightError('PW_ERR_ENVIRONMENT_LOCKED', `${environment} is locked by run ${r.alive.runId} (${r.alive.stageId}), whose process ${r.alive.pid} on ${r.alive.host} is alive`, {
        details: `Wait for it, or cancel that run; --force removes the lock anyway (two deploys may then overlap).`,
      })
    }
    if (!r.removed) println(ctx.io.stdout, `${environment} is not locked${r.state.queue.length ? ` (${r.state.queue.length} queued)` : ''}.`)
    else println(ctx.io.stdout, `Removed the lock of ${environment} held by run ${r.removed.runId} (${r.removed.stageId}); the next in line takes it on its next check.`)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

export function registerEnvironments(program: Command, rt: CliRuntime): void {
  const fileOption = ['-f, --file <file>', 'pipeline file declaring the environments (default: pipewright.yml found from the current directory)'] as const
  program
    .command('envs')
    .description('Each environment: the version it runs, health (the agent, the latest verdict and sample), latch, lock holder and queue, protection')
    .option(...fileOption)
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ pipewright envs
  $ pipewright envs -f examples/hello-service/pipewright.yml --json`)
    .action(action(rt, (ctx, flags: EnvFlags) => envs(ctx, flags)))
  program
    .command('history')
    .description('The deployments of an environment, newest first: version, outcome, strategy, commit, who triggered and approved')
    .argument('<environment>', 'an environment of the pipeline')
    .option(...fileOption)
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON (every field of each deployment record)')
    .addHelpText('after', `
Examples:
  $ pipewright history production
  $ pipewright history staging --limit 5 --json`)
    .action(action(rt, (ctx, environment: string, flags: EnvFlags) => history(ctx, environment, flags)))
  program
    .command('diff')
    .description('The commits between what two environments run (from their deployment records, via git)')
    .argument('<from>', 'environment whose commits are listed, e.g. staging')
    .argument('<to>', 'environment compared with, e.g. production')
    .option(...fileOption)
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ pipewright diff staging production     # what promoting staging to production brings`)
    .action(action(rt, (ctx, from: string, to: string, flags: EnvFlags) => diff(ctx, from, to, flags)))
  program
    .command('ack')
    .description('Acknowledge the automatic rollback that latched an environment: deploys there are refused until someone does')
    .argument('<environment>', 'the latched environment (`pipewright envs` shows which are)')
    .option(...fileOption)
    .option('--as <name>', 'who acknowledges (default: the git user, `Name <email>`)')
    .option('--comment <text>', 'what was done about it (kept with the latch)')
    .addHelpText('after', `
After post-deploy verification rolled a deployment back, automatic deploys to that environment
are refused (PW_ERR_ENVIRONMENT_LATCHED) so a broken release is not pushed again unattended.
Look at why (pipewright history <environment>, pipewright show <run>), fix it, then:

Examples:
  $ pipewright ack staging --comment "fixed the connection pool in 1.4.1"
  $ pipewright ack production --as oncall@example.com`)
    .action(action(rt, (ctx, environment: string, flags: EnvFlags) => ack(ctx, environment, flags)))
  program
    .command('unlock')
    .description("Remove an environment's lock when its holder's process is gone (it is released on its own too), or with --force")
    .argument('<environment>', 'the locked environment')
    .option(...fileOption)
    .option('--force', 'remove it even though its holder is alive (two deploys may then overlap)')
    .addHelpText('after', `
Examples:
  $ pipewright unlock production`)
    .action(action(rt, (ctx, environment: string, flags: EnvFlags) => unlock(ctx, environment, flags)))
}
