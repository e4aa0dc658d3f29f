import type { SerializedError, StageStatus } from '@pipewright/plugin-api'
import type { Colors } from '../io.js'

/** What a result or a stored record says about how a stage ended. */
export interface StageOutcome {
  status: StageStatus
  error?: SerializedError
  summary?: string
}

/**
 * The lines that say why a stage ended as it did, to print under its line: the error message
 * (exit code, timeout, gate reason; the parts `shown` on the stage line are left out), the fix,
 * and what the stage summarised itself (failing tests and where, a linter's counts).
 */
export function reasonLines(stage: StageOutcome, shown: string, c: Colors): string[] {
  const lines: string[] = []
  if (stage.status === 'failed' && stage.error) {
    for (const line of stage.error.message.trimEnd().split('\n')) if (line.trim() !== '' && !shown.includes(line)) lines.push(line)
    if (stage.error.details) lines.push(`${c.cyan('fix:')} ${stage.error.details}`)
  }
  if (stage.summary) for (const line of stage.summary.trimEnd().split('\n')) lines.push(`${c.dim('│')} ${line}`)
  return lines
}
