import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { CommandContext } from '../context.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

async function init(ctx: CommandContext, flags: { force?: boolean }): Promise<number> {
  const { detectProject, ignorePipewrightState, managerCommand, renderStarterPipeline, STARTER_FILE_NAME, STATE_DIR_ENTRY } = await import('@pipewright/core')
  const target = join(ctx.io.cwd, STARTER_FILE_NAME)
  if (existsSync(target) && !flags.force) {
    throw new PipewrightError('PW_ERR_USAGE', `${STARTER_FILE_NAME} already exists in ${ctx.io.cwd}`, {
      details: 'Edit the existing file, or pass --force to replace it with a fresh starter pipeline.',
    })
  }
  const info = await detectProject(ctx.io.cwd)
  const manager = info.hasPackageJson ? await managerCommand(info) : undefined
  await writeFile(target, renderStarterPipeline(info, manager))
  const ignored = await ignorePipewrightState(ctx.io.cwd)
  const { c } = ctx
  println(ctx.io.stdout, `${c.green('✓')} wrote ${relative(ctx.io.cwd, target)}`)
  if (ignored !== 'present') println(ctx.io.stdout, `${c.green('✓')} ${ignored === 'created' ? 'created .gitignore with' : 'added to .gitignore:'} ${STATE_DIR_ENTRY} (runs, logs and test reports stay out of git)`)
  if (info.hasPackageJson) {
    println(ctx.io.stdout, c.dim(`  package manager: ${info.packageManager}${info.lockfile ? ` (from ${info.lockfile})` : ''}${manager && manager.prefix !== info.packageManager ? `, run as \`${manager.prefix}\`` : ''}`))
    println(ctx.io.stdout, c.dim(`  scripts: ${info.scripts.length > 0 ? info.scripts.join(', ') : 'none of lint, typecheck, test, build'}`))
    const tools = [info.eslint ? 'eslint → linter/eslint' : '', info.testRunner ? `${info.testRunner === 'node' ? 'node:test' : info.testRunner} → test-runner/${info.testRunner}` : ''].filter(Boolean)
    if (tools.length > 0) println(ctx.io.stdout, c.dim(`  tools: ${tools.join(', ')}`))
    if (manager?.note) println(ctx.io.stdout, `${c.yellow('!')} ${manager.note}`)
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
package-lock.json) and package.json's packageManager pin, and writes install, then lint,
typecheck and test side by side, then build: eslint through linter/eslint (with a
linter/max-issues gate), vitest, jest and node:test through test-runner/*, other scripts as
they are; every stage but install cached on the lockfile and the sources. Adds .pipewright/
to .gitignore.

Examples:
  $ pipewright init
  $ pipewright init --force`,
    )
    .action(action(rt, (ctx, flags: { force?: boolean }) => init(ctx, flags)))
}
