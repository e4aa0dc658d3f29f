import { PipewrightError, z, type ExecResult, type StageContext } from '@pipewright/plugin-api'

/** A shell command (`sh -c`) or an argv list, like a stage's `run:`. */
export const commandSchema = z.union([
  z.string().min(1),
  z
    .array(z.string())
    .min(1)
    .refine((argv) => argv[0] !== '', { message: 'The first item (the program) must not be empty' }),
])

export type Command = z.output<typeof commandSchema>

export function describeCommand(command: Command): string {
  return typeof command === 'string' ? command : command.join(' ')
}

/** Shell conventions for "not executable" and "not found": the linter never ran. */
const COULD_NOT_RUN = new Set([126, 127])

/**
 * Runs a linter's command in the workspace. A non-zero exit is normal for linters that found
 * problems, so it is only logged here (see `checkExit`) — except when the command could not
 * start at all, which would otherwise look like a clean result with no problems.
 */
export async function runLinterCommand(ctx: StageContext, stageType: string, command: Command): Promise<ExecResult> {
  const result = await ctx.exec(command, { cwd: ctx.workspace })
  if (ctx.signal.aborted) throw new PipewrightError('PW_ERR_CANCELLED', `${stageType} in stage ${ctx.stageId} was cancelled`)
  if (COULD_NOT_RUN.has(result.exitCode)) {
    throw new PipewrightError('PW_ERR_STAGE_FAILED', `${stageType} in stage ${ctx.stageId}: \`${describeCommand(command)}\` could not run (exit code ${result.exitCode})`, {
      details: 'Check that the program is installed and on PATH (or give its path), and that it is executable.',
    })
  }
  if (result.exitCode !== 0) {
    ctx.logger.info(`${stageType}: command exited with code ${result.exitCode}`)
  }
  return result
}

/** Fails the stage after its problems were reported, when `fail-on-exit` is set. */
export function checkExit(ctx: StageContext, stageType: string, result: ExecResult, failOnExit: boolean): void {
  if (!failOnExit || result.exitCode === 0) return
  throw new PipewrightError('PW_ERR_STAGE_FAILED', `${stageType} in stage ${ctx.stageId}: the command exited with code ${result.exitCode}`, {
    details: 'Problems were still recorded. Set `fail-on-exit: false` to let a gate such as linter/max-issues decide instead.',
  })
}
