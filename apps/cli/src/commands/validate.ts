import { isPipewrightError, type Problem } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { dirname } from 'node:path'
import { closeQuietly, openEngine, resolvePipelineFile, type CommandContext } from '../context.js'
import { displayFile, displayProblem, problemFixLines } from '../errors.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

interface ValidateFlags {
  file?: string
  json?: boolean
}

/** One problem of the `--json` document: every field always present (null when unknown). */
export function problemJson(p: Problem, file: string | undefined, cwd: string) {
  const where = p.file ?? file
  return {
    file: where === undefined ? null : displayFile(where, cwd),
    line: p.line ?? null,
    column: p.column ?? null,
    path: p.path,
    message: p.message,
    code: p.code ?? null,
    ...(p.details ? { details: p.details } : {}),
  }
}

async function problemsOf(ctx: CommandContext, file: string): Promise<Problem[]> {
  const engine = await openEngine(ctx, undefined, dirname(file))
  try {
    return await engine.validate(file)
  } finally {
    await closeQuietly(engine)
  }
}

async function validate(ctx: CommandContext, flags: ValidateFlags): Promise<number> {
  let file: string | undefined
  try {
    file = await resolvePipelineFile(ctx, flags.file)
    const problems = await problemsOf(ctx, file)
    if (flags.json) {
      println(ctx.io.stdout, JSON.stringify({ valid: problems.length === 0, problems: problems.map((p) => problemJson(p, file, ctx.io.cwd)) }, null, 2))
      return problems.length === 0 ? 0 : 2
    }
    const shown = displayFile(file, ctx.io.cwd)
    if (problems.length === 0) {
      println(ctx.io.stdout, `${ctx.c.green('✓')} ${shown} is valid`)
      return 0
    }
    for (const p of problems) {
      println(ctx.io.stdout, displayProblem({ ...p, file: p.file ?? file }, ctx.io.cwd))
      for (const line of problemFixLines(p, '  ', ctx.c)) println(ctx.io.stdout, line)
    }
    println(ctx.io.stdout, `${ctx.c.red('✗')} ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${shown}`)
    return 2
  } catch (error) {
    // No file to check: still one document on stdout, the error as its only problem (and on stderr).
    if (flags.json && isPipewrightError(error)) {
      const problem = { path: '', message: error.message, code: error.code, details: error.details }
      println(ctx.io.stdout, JSON.stringify({ valid: false, problems: [problemJson(problem, file ?? flags.file, ctx.io.cwd)] }, null, 2))
    }
    throw error
  }
}

export function registerValidate(program: Command, rt: CliRuntime): void {
  program
    .command('validate')
    .description('Check a pipeline file and print every problem as file:line:col path: message')
    .option('-f, --file <file>', 'pipeline file (default: pipewright.yml found from the current directory)')
    .option('--json', 'print JSON: { valid, problems: [{ file, line, column, path, message, code, details? }] }')
    .addHelpText(
      'after',
      `
Checks the YAML, the pipeline schema, stage references (needs, uses) and every plugin
stage's with: configuration, and reports all problems at once. Exit code 2 if any.
With --json, line and column are null where unknown (TypeScript pipelines), and details
says how to fix a problem when its message alone does not.

Examples:
  $ pipewright validate
  $ pipewright validate -f deploy/pipewright.yml
  $ pipewright validate --json | jq -r '.problems[] | "\\(.file):\\(.line) \\(.message)"'`,
    )
    .action(action(rt, (ctx, flags: ValidateFlags) => validate(ctx, flags)))
}
