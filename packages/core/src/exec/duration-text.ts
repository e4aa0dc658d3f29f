/**
 * A duration as people write it in a pipeline (`timeout: 2s`), and as parseDuration reads it:
 * `750ms`, `2s`, `1.5s`, `1m30s`, `1h`, `2h5m`.
 */
export function durationText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`
  if (ms < 1000) return `${Math.round(ms)}ms`
  const hours = Math.floor(ms / 3_600_000)
  const minutes = Math.floor((ms % 3_600_000) / 60_000)
  const seconds = Math.round(ms % 60_000) / 1000
  const parts = [hours ? `${hours}h` : '', minutes ? `${minutes}m` : '', seconds ? `${Number(seconds.toFixed(3))}s` : '']
  return parts.join('')
}
