import type { Command } from 'commander'
import { closeQuietly, openEngine, type CommandContext } from '../context.js'
import { table } from '../format.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

async function listPlugins(ctx: CommandContext, flags: { json?: boolean }): Promise<number> {
  const engine = await openEngine(ctx, undefined, ctx.io.cwd)
  try {
    const plugins = await engine.plugins()
    if (flags.json) {
      println(ctx.io.stdout, JSON.stringify(plugins, null, 2))
      return 0
    }
    if (plugins.length === 0) {
      println(ctx.io.stdout, 'No plugins loaded.')
      return 0
    }
    const { c } = ctx
    const rows = [[c.dim('PLUGIN'), c.dim('VERSION'), c.dim('SOURCE'), c.dim('CONTRIBUTES')]]
    for (const p of plugins) {
      const kinds = (['stages', 'gates', 'monitors', 'notifiers'] as const)
        .filter((k) => p[k].length > 0)
        .map((k) => `${k}: ${p[k].join(', ')}`)
      rows.push([c.bold(p.id), p.version ?? '–', p.source, kinds.join('; ') || '–'])
    }
    for (const line of table(rows)) println(ctx.io.stdout, line)
    return 0
  } finally {
    await closeQuietly(engine)
  }
}

export function registerPlugins(program: Command, rt: CliRuntime): void {
  program
    .command('plugins')
    .description('List the loaded plugins and the stage types, gates, monitors and notifiers they add')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
First-party plugins (git, test-runner, linter, docker) are always loaded; a pipeline adds
others under plugins:. Use a stage type as  uses: <plugin>/<stage>.

Examples:
  $ pipewright plugins
  $ pipewright plugins --json | jq '.[].stages'`,
    )
    .action(action(rt, (ctx, flags: { json?: boolean }) => listPlugins(ctx, flags)))
}
