/** A duration for people: `45s`, `3m 05s`, `2h 10m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

/** Minutes with at most one decimal: `19 min`, `2.5 min` (seconds under a minute: `4.2 s`). */
export function formatMinutes(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`
  const min = Math.round((ms / 60_000) * 10) / 10
  return `${min} min`
}

export function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10} %`
}
