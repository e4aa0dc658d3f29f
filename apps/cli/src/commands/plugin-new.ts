import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { relative, resolve } from 'node:path'
import type { CommandContext } from '../context.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

/** The contract of `generatePlugin` in create-pipewright-plugin (imported at run time). */
type GeneratePlugin = (options: { name: string; dir?: string }) => Promise<{ dir: string; files: string[]; packageName: string; pluginId: string }>

async function loadGenerator(): Promise<GeneratePlugin> {
  const name = 'create-pipewright-plugin'
  const mod = (await import(name)) as { generatePlugin?: unknown }
  if (typeof mod.generatePlugin !== 'function') {
    throw new PipewrightError('PW_ERR_INTERNAL', `${name} does not export generatePlugin`, {
      details: 'Reinstall @pipewright/cli, or run `npm create pipewright-plugin <name>` directly.',
    })
  }
  return mod.generatePlugin as GeneratePlugin
}

async function pluginNew(ctx: CommandContext, name: string, flags: { dir?: string }): Promise<number> {
  const generatePlugin = await loadGenerator()
  const result = await generatePlugin({ name, dir: flags.dir === undefined ? undefined : resolve(ctx.io.cwd, flags.dir) })
  const shown = relative(ctx.io.cwd, result.dir) || '.'
  println(ctx.io.stdout, `${ctx.c.green('✓')} created ${ctx.c.bold(result.packageName)} (plugin id ${result.pluginId}) in ${shown}`)
  for (const f of result.files) println(ctx.io.stdout, ctx.c.dim(`  ${f}`))
  println(ctx.io.stdout, `next: cd ${shown} && npm install && npm test`)
  return 0
}

export function registerPlugin(program: Command, rt: CliRuntime): void {
  const plugin = program.command('plugin').description('Work on Pipewright plugins')
  plugin
    .command('new')
    .description('Scaffold a new plugin package (stage, config schema, tests, README)')
    .argument('<name>', 'plugin id, e.g. slack-notify')
    .option('--dir <dir>', 'where to create it (default: ./pipewright-plugin-<name>); must be empty or absent')
    .addHelpText(
      'after',
      `
Examples:
  $ pipewright plugin new slack-notify
  $ pipewright plugin new my-deploy --dir plugins/my-deploy`,
    )
    .action(action(rt, (ctx, name: string, flags: { dir?: string }) => pluginNew(ctx, name, flags)))
}
