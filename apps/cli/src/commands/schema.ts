import type { Command } from 'commander'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'

export function registerSchema(program: Command, rt: CliRuntime): void {
  program
    .command('schema')
    .description('Print the JSON Schema of pipeline files, for editor completion and checks')
    .addHelpText(
      'after',
      `
Examples:
  $ pipewright schema > pipewright.schema.json
  then start pipewright.yml with:  # yaml-language-server: $schema=./pipewright.schema.json`,
    )
    .action(
      action(rt, async (ctx) => {
        const { pipelineJsonSchema } = await import('@pipewright/core')
        println(ctx.io.stdout, JSON.stringify(pipelineJsonSchema(), null, 2))
        return 0
      }),
    )
}
