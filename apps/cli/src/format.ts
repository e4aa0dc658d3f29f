import type { StageStatus } from '@pipewright/plugin-api'
import type { Colors } from './io.js'

/** `0.4s`, `12.0s`, `3m 05s`, `1h 02m`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–'
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const s = Math.round(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** ISO-ish local time without the noise: `2024-05-01 14:03:22`. */
export function formatTime(at: number | undefined): string {
  if (at === undefined) return '–'
  const d = new Date(at)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

const SYMBOLS: Record<StageStatus | 'interrupted' | 'queued', string> = {
  pending: '·',
  queued: '·',
  running: '▶',
  succeeded: '✓',
  failed: '✗',
  skipped: '○',
  cancelled: '⊘',
  cached: '◆',
  interrupted: '!',
}

/** Symbol for a stage or run status, coloured by outcome. */
export function statusSymbol(status: string, c: Colors): string {
  const symbol = SYMBOLS[status as keyof typeof SYMBOLS] ?? '?'
  switch (status) {
    case 'succeeded':
      return c.green(symbol)
    case 'failed':
    case 'interrupted':
      return c.red(symbol)
    case 'cached':
    case 'running':
      return c.cyan(symbol)
    case 'cancelled':
      return c.yellow(symbol)
    default:
      return c.dim(symbol)
  }
}

export function colorStatus(status: string, c: Colors): string {
  if (status === 'succeeded') return c.green(status)
  if (status === 'failed' || status === 'interrupted') return c.red(status)
  if (status === 'cancelled') return c.yellow(status)
  if (status === 'running' || status === 'cached') return c.cyan(status)
  return c.dim(status)
}

/** Left-aligned columns for small tables (`runs`, `plugins`); widths ignore ANSI colour codes. */
export function table(rows: string[][], gap = 2): string[] {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))))
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell) + gap)))
      .join('')
      .trimEnd(),
  )
}
