import type { Command } from 'commander'
import { closeQuietly, openEngine, openStore, type CommandContext } from '../context.js'
import { loadFirstPartyPlugins } from '../first-party.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'
import { checkDocker, checkGit, checkNode, type CheckResult } from './doctor-checks.js'

async function checkStore(ctx: CommandContext): Promise<CheckResult> {
  const fix = 'Point --home or PIPEWRIGHT_HOME at a writable directory.'
  try {
    const { store, home } = await openStore(ctx)
    try {
      const stamp = Date.now()
      await store.setState('doctor:last-check', stamp)
      const read = await store.getState<number>('doctor:last-check')
      await store.flush()
      if (read !== stamp) return { name: 'store', status: 'fail', detail: `store at ${home} did not read back what was written`, fix }
      return { name: 'store', status: 'ok', detail: `writable at ${home}` }
    } finally {
      await closeQuietly(store)
    }
  } catch (error) {
    return { name: 'store', status: 'fail', detail: `store not writable: ${error instanceof Error ? error.message : String(error)}`, fix }
  }
}

async function checkPlugins(ctx: CommandContext): Promise<CheckResult> {
  const { failures } = await loadFirstPartyPlugins()
  if (failures.length > 0) {
    return {
      name: 'plugins',
      status: 'fail',
      detail: failures.map((f) => `${f.name}: ${f.message}`).join('; '),
      fix: 'Reinstall Pipewright (npm install -g @pipewright/cli) so its plugin packages are complete.',
    }
  }
  const engine = await openEngine(ctx, undefined, ctx.io.cwd)
  try {
    const plugins = await engine.plugins()
    return { name: 'plugins', status: 'ok', detail: plugins.length > 0 ? plugins.map((p) => p.id).join(', ') : 'none loaded' }
  } catch (error) {
    return { name: 'plugins', status: 'fail', detail: error instanceof Error ? error.message : String(error), fix: 'See the message; `pipewright plugins --debug` shows the stack.' }
  } finally {
    await closeQuietly(engine)
  }
}

async function doctor(ctx: CommandContext, flags: { json?: boolean }): Promise<number> {
  const results = [checkNode(), await checkGit(), await checkDocker(ctx.io.env.DOCKER_HOST), await checkStore(ctx), await checkPlugins(ctx)]
  const failed = results.some((r) => r.status === 'fail')
  if (flags.json) {
    println(ctx.io.stdout, JSON.stringify({ ok: !failed, checks: results }, null, 2))
    return failed ? 1 : 0
  }
  const { c } = ctx
  const symbol = { ok: c.green('✓'), warn: c.yellow('!'), fail: c.red('✗') }
  for (const r of results) {
    println(ctx.io.stdout, `${symbol[r.status]} ${c.bold(r.name.padEnd(8))} ${r.detail}${r.status === 'warn' ? c.yellow(' (warning)') : ''}`)
    if (r.fix && r.status !== 'ok') println(ctx.io.stdout, `  ${c.cyan('fix:')} ${r.fix}`)
  }
  println(ctx.io.stdout, failed ? c.red('Some required checks failed.') : c.green('Ready to run pipelines.'))
  return failed ? 1 : 0
}

export function registerDoctor(program: Command, rt: CliRuntime): void {
  program
    .command('doctor')
    .description('Check this machine: Node.js, git, the Docker engine, the store, the plugins')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Exit code 1 if a required check fails. An unreachable Docker engine is only a warning:
pipelines without docker/* stages do not need one.

Examples:
  $ pipewright doctor
  $ DOCKER_HOST=unix:///tmp/docker.sock pipewright doctor --home /var/lib/pipewright`,
    )
    .action(action(rt, (ctx, flags: { json?: boolean }) => doctor(ctx, flags)))
}
