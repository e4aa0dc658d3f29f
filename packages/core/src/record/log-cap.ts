/** Bytes of log a stage keeps in the store by default (its live output is never cut). */
export const DEFAULT_LOG_LIMIT_BYTES = 16 * 1024 * 1024

/**
 * Bounds what the store keeps of each stage's log: past the limit one visible marker line is
 * kept, then lines are only counted, and the stage's end adds how much was left out.
 */
export class LogCap {
  private readonly used = new Map<string, number>()
  private readonly dropped = new Map<string, { lines: number; bytes: number }>()

  constructor(private readonly limitBytes: number) {}

  /** Whether to keep `line`; `mark` is called once with the marker when the stage crosses the limit. */
  admit(stageId: string, line: string, mark: (marker: string) => void): boolean {
    const size = Buffer.byteLength(line) + 1
    const used = (this.used.get(stageId) ?? 0) + size
    this.used.set(stageId, used)
    if (used <= this.limitBytes) return true
    const dropped = this.dropped.get(stageId)
    if (!dropped) {
      this.dropped.set(stageId, { lines: 1, bytes: size })
      mark(`[pipewright] log truncated: stage ${stageId} printed more than ${formatBytes(this.limitBytes)}; later lines are not stored (see the live output, or raise the limit with --log-limit)`)
    } else {
      dropped.lines++
      dropped.bytes += size
    }
    return false
  }

  /** At the stage's end: one line saying how much was left out, if anything. */
  finish(stageId: string, mark: (marker: string) => void): void {
    const dropped = this.dropped.get(stageId)
    if (dropped) mark(`[pipewright] ${dropped.lines} line${dropped.lines === 1 ? '' : 's'} (${formatBytes(dropped.bytes)}) of stage ${stageId} were not stored`)
    this.dropped.delete(stageId)
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
