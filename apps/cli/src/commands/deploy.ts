import { deploymentPipeline, type DeploymentAction } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import { Option, type Command } from 'commander'
import { dirname } from 'node:path'
import { identityOf, resolvePipelineFile, type CommandContext } from '../context.js'
import { action, type CliRuntime } from './action.js'
import { executeRun } from './run.js'

interface DeployFlags {
  file?: string
  version?: string
  /** `--version` after `deploy`, renamed by `deployVersionOption` (see program.ts). */
  deployVersion?: string
  to?: string
  as?: string
  wait?: boolean
  json?: boolean
}

/** `deploy` and `rollback`: a run of one deploy stage, held to the environment's rules and lock, and recorded. */
async function deployRun(ctx: CommandContext, environment: string, action: DeploymentAction, flags: DeployFlags): Promise<number> {
  const file = await resolvePipelineFile(ctx, flags.file)
  const pipelineDir = dirname(file)
  const triggeredBy = await identityOf(ctx, flags.as, false)
  const options = { ...(flags.wait === false ? { noWait: true } : {}), ...(triggeredBy ? { triggeredBy } : {}) }
  return executeRun(ctx, { pipelineDir, json: flags.json === true, options }, async (engine, runOptions) => engine.run(deploymentPipeline(await engine.load(file), environment, action), runOptions))
}

export function registerDeploy(program: Command, rt: CliRuntime): void {
  const common = (command: Command) =>
    command
      .option('-f, --file <file>', 'pipeline file declaring the environment (default: pipewright.yml found from the current directory)')
      .option('--as <name>', 'who triggers it (default: the git user)')
      .option('--json', 'print one JSON document with the result at the end')
  common(
    program
      .command('deploy')
      .description('Deploy a version an environment ran before again (from its deployment record), as a run of one deploy stage')
      .argument('<environment>', 'an environment of the pipeline')
      .addOption(new Option('--version <version>', 'the version: one `pipewright history <environment>` lists (required)'))
      .addOption(new Option('--deploy-version <version>').hideHelp())
      .option('--no-wait', 'fail instead of waiting when the environment is in a freeze window'),
  )
    .addHelpText(
      'after',
      `
The run passes the environment's protection rules (branches, freeze windows, approvals) and its
lock like any deploy stage, and is recorded as a deployment. The files come from the version's
deployment record (its artifacts, or its image).

Examples:
  $ pipewright deploy staging --version 1.4.0
  $ pipewright deploy production --version 1.3.2 -f ci/pipewright.yml --as alice`,
    )
    .action(
      action(rt, (ctx, environment: string, flags: DeployFlags) => {
        const version = flags.deployVersion ?? flags.version
        if (!version) throw new PipewrightError('PW_ERR_USAGE', 'pipewright deploy needs --version <version>', { details: `e.g. pipewright deploy ${environment} --version 1.4.0; \`pipewright history ${environment}\` lists the versions it ran.` })
        return deployRun(ctx, environment, { kind: 'deploy', version }, flags)
      }),
    )
  common(
    program
      .command('rollback')
      .description('Return an environment to its previous good version (or --to one it ran), recorded as a deployment')
      .argument('<environment>', 'an environment of the pipeline')
      .option('--to <version>', 'the version to return to (default: the one before the current)'),
  )
    .addHelpText(
      'after',
      `
When the previous version's instances still run (a blue-green deploy with keep-previous, or a
canary in flight) traffic switches back at once; otherwise the previous version is deployed
again, blue-green. A rollback needs the environment's approvals, not its branch or freeze rules.
The deployment it replaces is marked rolled-back in \`pipewright history\`.

Examples:
  $ pipewright rollback production
  $ pipewright rollback staging --to 1.3.0`,
    )
    .action(action(rt, (ctx, environment: string, flags: DeployFlags) => deployRun(ctx, environment, { kind: 'rollback', ...(flags.to ? { toVersion: flags.to } : {}) }, flags)))
}
