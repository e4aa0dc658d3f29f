import type { Command } from 'commander'
import { dirname } from 'node:path'
import { closeQuietly, openEngine, resolvePipelineFile, storeHome, type CommandContext } from '../context.js'
import { loadFirstPartyPlugins } from '../first-party.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'
import { checkDocker, checkGit, checkNode, type CheckResult } from './doctor-checks.js'
import { checkStore } from './doctor-store.js'

/** Plugins: the first-party ones load; with a pipeline file, also the plugins it lists. */
async function checkPlugins(ctx: CommandContext, file: string | undefined): Promise<CheckResult> {
  const { failures } = await loadFirstPartyPlugins()
  if (failures.length > 0) {
    return {
      name: 'plugins',
      status: 'fail',
      detail: failures.map((f) => `${f.name}: ${f.message}`).join('; '),
      fix: 'Reinstall Pipewright (npm install -g @pipewright/cli) so its plugin packages are complete.',
    }
  }
  const engine = await openEngine(ctx, undefined, file ? dirname(file) : ctx.io.cwd)
  try {
    if (file) {
      // Loading the pipeline loads its plugins; only their problems are doctor's business (validate has the rest).
      const broken = (await engine.validate(file)).filter((p) => p.code?.startsWith('PW_ERR_PLUGIN'))
      if (broken.length > 0) {
        return { name: 'plugins', status: 'fail', detail: broken.map((p) => p.message).join('; '), fix: broken.find((p) => p.details)?.details ?? 'Install the plugin packages the pipeline lists (npm install <name>) in its project.' }
      }
    }
    const plugins = await engine.plugins()
    return { name: 'plugins', status: 'ok', detail: plugins.length > 0 ? plugins.map((p) => p.id).join(', ') : 'none loaded' }
  } catch (error) {
    return { name: 'plugins', status: 'fail', detail: error instanceof Error ? error.message : String(error), fix: 'See the message; `pipewright plugins --debug` shows the stack.' }
  } finally {
    await closeQuietly(engine)
  }
}

interface DoctorFlags {
  file?: string
  json?: boolean
}

async function doctor(ctx: CommandContext, flags: DoctorFlags): Promise<number> {
  const file = flags.file === undefined ? undefined : await resolvePipelineFile(ctx, flags.file)
  const results = [checkNode(), await checkGit(), await checkDocker(ctx.io.env.DOCKER_HOST), await checkStore(await storeHome(ctx, file)), await checkPlugins(ctx, file)]
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
    .option('-f, --file <file>', "check this pipeline's store and the plugins it lists (default: the pipewright.yml found from the current directory, first-party plugins)")
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Exit code 1 if a required check fails. An unreachable Docker engine is only a warning:
pipelines without docker/* stages do not need one. Doctor creates nothing: a store that
does not exist yet only needs a writable place to be created in at the first run.

Examples:
  $ pipewright doctor
  $ pipewright doctor -f services/api/pipewright.yml
  $ DOCKER_HOST=unix:///tmp/docker.sock pipewright doctor --home /var/lib/pipewright`,
    )
    .action(action(rt, (ctx, flags: DoctorFlags) => doctor(ctx, flags)))
}
