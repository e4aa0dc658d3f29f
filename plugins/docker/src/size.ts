import bytes from 'bytes'

/**
 * Parses a size as Docker writes them (`256m`, `1g`) or as people do (`50MB`, `1.5 GB`, `512KiB`),
 * or a number of bytes. Units are binary (1 MB = 1024 KB), like Docker's own memory limits.
 */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(value)
  if (!match) return undefined
  const unit = match[2] ? `${match[2]}b` : 'b'
  const parsed = bytes.parse(`${match[1]}${unit}`)
  return parsed === null || !Number.isFinite(parsed) ? undefined : Math.floor(parsed)
}

/** `52428800` → `50MB`, for messages. */
export function formatSize(value: number): string {
  return bytes.format(value, { unitSeparator: '' }) ?? `${value}B`
}
