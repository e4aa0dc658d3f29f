import { PipewrightError, type ExecOptions, type ExecResult } from '@pipewright/plugin-api'
import { spawnProcess } from './process.js'
import { splitPointFor } from '../security/redact.js'

/** Where `ctx.exec` runs a command: the stage's directory, environment, signal and log. */
export interface ExecEnvironment {
  stageId: string
  cwd: string
  env: Record<string, string>
  signal: AbortSignal
  onLine(stream: 'stdout' | 'stderr', line: string): void
  /** Masks secrets in failure messages. */
  redact(text: string): string
}

/**
 * `ctx.exec` for plugins: `sh -c` for a string, argv without a shell for an array, in its own
 * process group (killed with its children on cancel). The test kit uses the same function.
 */
export async function execInStage(command: string | string[], options: ExecOptions, host: ExecEnvironment): Promise<ExecResult> {
  if (command.length === 0) throw new PipewrightError('PW_ERR_USAGE', `exec() in stage ${host.stageId} got an empty command`)
  const result = await spawnProcess({
    command,
    cwd: options.cwd ?? host.cwd,
    env: { ...host.env, ...(options.env ?? {}) },
    signal: host.signal,
    capture: true,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.log === false ? {} : { onLine: host.onLine, splitPoint: splitPointFor(host.redact) }),
  })
  if (result.spawnError) {
    throw new PipewrightError('PW_ERR_STAGE_FAILED', `Stage ${host.stageId}: ${result.spawnError}`, { details: 'Install the command or fix its name.' })
  }
  if (options.check && result.exitCode !== 0) {
    const shown = typeof command === 'string' ? command : command.join(' ')
    const tail = host.redact(result.stderr.trim().split('\n').slice(-10).join('\n'))
    throw new PipewrightError('PW_ERR_STAGE_FAILED', `Stage ${host.stageId}: \`${host.redact(shown)}\` exited with ${result.exitCode}${tail ? `:\n${tail}` : ''}`)
  }
  return { exitCode: result.exitCode, signal: result.signal, stdout: result.stdout, stderr: result.stderr }
}
