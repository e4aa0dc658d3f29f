import { renderGraph } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import type { Command } from 'commander'
import { dirname } from 'node:path'
import { closeQuietly, openEngine, resolvePipelineFile, type CommandContext } from '../context.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

const FORMATS = ['mermaid', 'dot'] as const

async function graph(ctx: CommandContext, flags: { file?: string; format: string }): Promise<number> {
  const format = FORMATS.find((f) => f === flags.format)
  if (!format) {
    throw new PipewrightError('PW_ERR_USAGE', `--format ${flags.format} is not supported`, { details: `Use one of: ${FORMATS.join(', ')}.` })
  }
  const file = await resolvePipelineFile(ctx, flags.file)
  const engine = await openEngine(ctx, undefined, dirname(file))
  try {
    const plan = await engine.plan(await engine.load(file))
    println(ctx.io.stdout, renderGraph(plan, format).trimEnd())
    return 0
  } finally {
    await closeQuietly(engine)
  }
}

export function registerGraph(program: Command, rt: CliRuntime): void {
  program
    .command('graph')
    .description('Print the stage graph (matrix stages expanded) as Mermaid or Graphviz DOT')
    .option('-f, --file <file>', 'pipeline file (default: pipewright.yml found from the current directory)')
    .option('--format <format>', 'mermaid or dot', 'mermaid')
    .addHelpText(
      'after',
      `
Examples:
  $ pipewright graph > pipeline.mmd
  $ pipewright graph -f examples/hello-service/pipewright.yml --format mermaid
  $ pipewright graph --format dot | dot -Tsvg > pipeline.svg`,
    )
    .action(action(rt, (ctx, flags: { file?: string; format: string }) => graph(ctx, flags)))
}
