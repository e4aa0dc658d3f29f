export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  return `${Math.floor(m / 60)}h ${m % 60}m`
}

export function formatAgo(at: number | undefined, now = Date.now()): string {
  if (!at) return '—'
  const s = Math.max(0, Math.round((now - at) / 1000))
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`
  return new Date(at).toISOString().slice(0, 10)
}

export function formatTime(at: number | undefined): string {
  return at ? new Date(at).toLocaleString() : '—'
}

/** A status's glyph, as GitHub Actions users read them. */
export const STATUS_ICON: Record<string, string> = {
  succeeded: '✓',
  failed: '✕',
  running: '◌',
  waiting: '‖',
  pending: '○',
  queued: '○',
  skipped: '⊘',
  cancelled: '⊘',
  cached: '✓',
  interrupted: '!',
}

export const FINAL_RUN_STATUSES = new Set(['succeeded', 'failed', 'cancelled', 'interrupted'])

export function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : '—'
}
