import type { Command } from 'commander'
import { dirname, relative } from 'node:path'
import { closeQuietly, openEngine, resolvePipelineFile, type CommandContext } from '../context.js'
import { displayProblem } from '../errors.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

async function validate(ctx: CommandContext, flags: { file?: string }): Promise<number> {
  const file = await resolvePipelineFile(ctx, flags.file)
  const engine = await openEngine(ctx, undefined, dirname(file))
  try {
    const problems = await engine.validate(file)
    const shown = relative(ctx.io.cwd, file) || file
    if (problems.length === 0) {
      println(ctx.io.stdout, `${ctx.c.green('✓')} ${shown} is valid`)
      return 0
    }
    for (const p of problems) println(ctx.io.stdout, displayProblem({ ...p, file: p.file ?? file }, ctx.io.cwd))
    println(ctx.io.stdout, `${ctx.c.red('✗')} ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${shown}`)
    return 2
  } finally {
    await closeQuietly(engine)
  }
}

export function registerValidate(program: Command, rt: CliRuntime): void {
  program
    .command('validate')
    .description('Check a pipeline file and print every problem as file:line:col path: message')
    .option('-f, --file <file>', 'pipeline file (default: pipewright.yml found from the current directory)')
    .addHelpText(
      'after',
      `
Checks the YAML, the pipeline schema, stage references (needs, uses) and every plugin
stage's with: configuration, and reports all problems at once. Exit code 2 if any.

Examples:
  $ pipewright validate
  $ pipewright validate -f deploy/pipewright.yml`,
    )
    .action(action(rt, (ctx, flags: { file?: string }) => validate(ctx, flags)))
}
