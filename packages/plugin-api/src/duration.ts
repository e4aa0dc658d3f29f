const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses `250ms`, `1s`, `10m`, `1h30m`, `2d` or a number of milliseconds. Returns undefined if invalid. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text)
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy
  let total = 0
  let consumed = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNITS[m[2]!]!
    consumed = re.lastIndex
  }
  return consumed === text.length && consumed > 0 ? total : undefined
}
