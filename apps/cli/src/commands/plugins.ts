import type { Command } from 'commander'
import { findPipelineFile, type PluginPins } from '@pipewright/core'
import { closeQuietly, openEngine, resolvePipelineFile, type CommandContext } from '../context.js'
import { table } from '../format.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

interface PluginsFlags {
  file?: string
  json?: boolean
}

const STATUS_TEXT: Record<PluginPins['plugins'][number]['status'], string> = {
  pinned: 'pinned',
  new: 'not pinned yet (pinned on the next run)',
  version: 'CHANGED version: run `pipewright plugins update`',
  integrity: 'CHANGED files: run `pipewright plugins update`',
}

/** The pipeline file to read declared plugins from: `-f`, else one in the working directory, else none. */
async function pipelineFor(ctx: CommandContext, file: string | undefined): Promise<string | undefined> {
  return file !== undefined ? resolvePipelineFile(ctx, file) : findPipelineFile(ctx.io.cwd)
}

async function listPlugins(ctx: CommandContext, flags: PluginsFlags): Promise<number> {
  const file = await pipelineFor(ctx, flags.file)
  // Listing must show a changed plugin, not refuse it: pin checks are reported, not enforced.
  const engine = await openEngine(ctx, undefined, ctx.io.cwd, { pins: 'off' })
  try {
    const pins = file ? await engine.pinPlugins(file) : undefined
    const changed = pins?.plugins.filter((p) => p.status === 'version' || p.status === 'integrity') ?? []
    // Declared plugins are imported only when every pin matches: a changed plugin's code never runs.
    if (file && changed.length === 0) await engine.load(file).catch(() => undefined)
    const plugins = await engine.plugins()
    const statusOf = (source: string) => pins?.plugins.find((p) => p.name === source)?.status
    if (flags.json) {
      const notLoaded = changed.map((p) => ({ id: null, version: p.version, source: p.name, builtIn: false, pin: p.status, loaded: false }))
      println(ctx.io.stdout, JSON.stringify([...plugins.map((p) => ({ ...p, pin: statusOf(p.source) ?? null, loaded: true })), ...notLoaded], null, 2))
      return 0
    }
    const { c } = ctx
    const rows = [[c.dim('PLUGIN'), c.dim('VERSION'), c.dim('SOURCE'), c.dim('STATUS'), c.dim('CONTRIBUTES')]]
    for (const p of plugins) {
      const kinds = (['stages', 'gates', 'monitors', 'notifiers'] as const)
        .filter((k) => p[k].length > 0)
        .map((k) => `${k}: ${p[k].join(', ')}`)
      const status = statusOf(p.source)
      const text = status ? STATUS_TEXT[status] : p.builtIn ? 'built in' : 'not pinned (local path or linked package)'
      rows.push([c.bold(p.id), p.version ?? '–', p.builtIn ? 'first-party' : p.source, status && status !== 'pinned' && status !== 'new' ? c.red(text) : text, kinds.join('; ') || '–'])
    }
    for (const p of changed) rows.push([c.bold('?'), p.version, p.name, c.red(STATUS_TEXT[p.status]), 'not loaded'])
    for (const line of table(rows)) println(ctx.io.stdout, line)
    if (pins) println(ctx.io.stdout, c.dim(`lock file: ${pins.lockFile}`))
    return pins?.plugins.some((p) => p.status === 'version' || p.status === 'integrity') ? 1 : 0
  } finally {
    await closeQuietly(engine)
  }
}

async function updatePins(ctx: CommandContext, flags: PluginsFlags): Promise<number> {
  const file = await resolvePipelineFile(ctx, flags.file)
  const engine = await openEngine(ctx, undefined, ctx.io.cwd, { pins: 'off' })
  try {
    const pins = await engine.pinPlugins(file, { update: true })
    if (flags.json) {
      println(ctx.io.stdout, JSON.stringify(pins, null, 2))
      return 0
    }
    if (pins.plugins.length === 0) println(ctx.io.stdout, `No installed plugin packages to pin in ${file}.`)
    for (const p of pins.plugins) {
      const what = p.status === 'pinned' ? 'unchanged' : p.status === 'new' ? 'pinned' : `re-pinned (${p.status === 'version' ? 'new version' : 'files changed'})`
      println(ctx.io.stdout, `${p.name}@${p.version}: ${what}`)
    }
    println(ctx.io.stdout, ctx.c.dim(`lock file: ${pins.lockFile}`))
    return 0
  } finally {
    await closeQuietly(engine)
  }
}

export function registerPlugins(program: Command, rt: CliRuntime): void {
  const plugins = program
    .command('plugins')
    .description('List the loaded plugins, what they add, and whether installed plugin packages match pipewright.lock')
    .option('-f, --file <path>', 'pipeline file whose plugins: to include (default: the one in the current directory)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
First-party plugins (git, test-runner, linter, docker) are always loaded; a pipeline adds
others under plugins:. Use a stage type as  uses: <plugin>/<stage>.

Installed plugin packages are pinned in pipewright.lock (name, version, integrity hash of their
files) the first time a run uses them; a run refuses a plugin whose files or version changed
until you re-pin it with  pipewright plugins update. Exit code 1 when a pin does not match.

Examples:
  $ pipewright plugins
  $ pipewright plugins -f ci/pipewright.yml --json | jq '.[].stages'
  $ pipewright plugins update`,
    )
    .action(action(rt, (ctx, flags: PluginsFlags) => listPlugins(ctx, flags)))
  plugins
    .command('update')
    .description('Re-pin the pipeline’s installed plugin packages in pipewright.lock (after an intended upgrade or change)')
    .option('-f, --file <path>', 'pipeline file (default: the one in the current directory)')
    .option('--json', 'print JSON')
    .action(action(rt, (ctx, flags: PluginsFlags) => updatePins(ctx, flags)))
}
