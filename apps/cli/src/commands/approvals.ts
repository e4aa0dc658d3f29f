import { decideApproval } from '@pipewright/core'
import type { Command } from 'commander'
import { closeQuietly, identityOf, openExistingStore, type CommandContext } from '../context.js'
import { EXAMPLE_RUN_ID, EXAMPLE_RUN_PREFIX } from '../examples.js'
import { println } from '../io.js'
import { action, type CliRuntime } from './action.js'
import { noStoreError } from './find-run.js'

interface ApprovalFlags {
  file?: string
  as?: string
  comment?: string
  json?: boolean
}

async function decide(ctx: CommandContext, decision: 'approved' | 'rejected', runId: string, stageId: string | undefined, flags: ApprovalFlags): Promise<number> {
  const by = (await identityOf(ctx, flags.as, true))!
  const { store, home } = await openExistingStore(ctx, flags.file)
  if (!store) throw noStoreError(runId, home)
  try {
    const d = await decideApproval(store, { run: runId, ...(stageId ? { stageId } : {}), by, decision, ...(flags.comment ? { comment: flags.comment } : {}), where: `the store at ${home}` })
    if (flags.json) {
      println(ctx.io.stdout, JSON.stringify({ run: d.run.id, stage: d.stageId, environment: d.environment, decision, by, approvals: d.status.valid.length, needed: d.status.needed }, null, 2))
      return 0
    }
    const { c } = ctx
    if (decision === 'rejected') {
      println(ctx.io.stdout, `${c.red('Rejected')} ${d.stageId} of run ${d.run.id} (${d.environment === '(gate)' ? 'a gate\'s approval request' : `deploy to ${d.environment}`}) as ${by}. The waiting run fails on its next check.`)
      return 0
    }
    const count = `${d.status.valid.length} of ${d.status.needed} approval${d.status.needed === 1 ? '' : 's'}`
    const next = d.status.valid.length >= d.status.needed ? 'The waiting run goes on within a few seconds.' : `Still ${d.status.needed - d.status.valid.length} to go.`
    println(ctx.io.stdout, `${c.green('Approved')} ${d.stageId} of run ${d.run.id} (${d.environment === '(gate)' ? 'a gate\'s approval request' : `deploy to ${d.environment}`}) as ${by}: ${count}. ${next}`)
    return 0
  } finally {
    await closeQuietly(store)
  }
}

export function registerApprovals(program: Command, rt: CliRuntime): void {
  for (const [name, decision] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    program
      .command(name)
      .description(decision === 'approved' ? 'Approve a deploy that waits for approval (protected environment)' : 'Reject a deploy that waits for approval: the stage fails')
      .argument('<run>', 'run id (or a unique prefix of it)')
      .argument('[stage]', 'the deploy stage (needed only when the run has several that need approval)')
      .option('--as <name>', 'who decides (default: the git user, `Name <email>`)')
      .option('--comment <text>', 'why; shown in the run\'s log and its deployment record')
      .option('-f, --file <file>', "look in the store of this pipeline file's directory (default: the pipewright.yml found from the current directory)")
      .option('--json', 'print JSON')
      .addHelpText(
        'after',
        `
Each person counts once; whoever triggered the run does not count unless the environment sets
allow-self-approval. The waiting run (in any process) sees the decision within a second or two.

Examples:
  $ pipewright ${name} ${EXAMPLE_RUN_ID}
  $ pipewright ${name} ${EXAMPLE_RUN_PREFIX} deploy-production --as release-manager --comment "${decision === 'approved' ? 'canary looks good' : 'not during the incident'}"`,
      )
      .action(action(rt, (ctx, run: string, stage: string | undefined, flags: ApprovalFlags) => decide(ctx, decision, run, stage, flags)))
  }
}
