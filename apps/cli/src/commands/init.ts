import { detectProject, renderStarterPipeline, STARTER_FILE_NAME } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { CommandContext } from '../context.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

async function init(ctx: CommandContext, flags: { force?: boolean }): Promise<number> {
  const target = join(ctx.io.cwd, STARTER_FILE_NAME)
  if (existsSync(target) && !flags.force) {
    throw new PipewrightError('PW_ERR_USAGE', `${STARTER_FILE_NAME} already exists in ${ctx.io.cwd}`, {
      details: 'Edit the existing file, or pass --force to replace it with a fresh starter pipeline.',
    })
  }
  const info = await detectProject(ctx.io.cwd)
  await writeFile(target, renderStarterPipeline(info))
  const { c } = ctx
  println(ctx.io.stdout, `${c.green('✓')} wrote ${relative(ctx.io.cwd, target)}`)
  if (info.hasPackageJson) {
    println(ctx.io.stdout, c.dim(`  package manager: ${info.packageManager}${info.lockfile ? ` (from ${info.lockfile})` : ''}`))
    println(ctx.io.stdout, c.dim(`  scripts: ${info.scripts.length > 0 ? info.scripts.join(', ') : 'none of lint, typecheck, test, build'}`))
  } else {
    println(ctx.io.stdout, c.dim('  no package.json: the pipeline has one placeholder stage to edit'))
  }
  println(ctx.io.stdout, `next: ${c.bold('pipewright validate')}, then ${c.bold('pipewright run')}`)
  return 0
}

export function registerInit(program: Command, rt: CliRuntime): void {
  program
    .command('init')
    .description('Write a starter pipewright.yml for the project in the current directory')
    .option('--force', 'replace an existing pipewright.yml')
    .addHelpText(
      'after',
      `
Detects the package manager from the lockfile (pnpm-lock.yaml, yarn.lock, bun.lock,
package-lock.json) and adds a stage for each lint, typecheck, test and build script.

Examples:
  $ pipewright init
  $ pipewright init --force`,
    )
    .action(action(rt, (ctx, flags: { force?: boolean }) => init(ctx, flags)))
}
