import { PipewrightError, parseDuration } from '@pipewright/plugin-api'

/** Commander argument parser for repeatable options (`--only a --only b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

function usage(message: string, details: string): PipewrightError {
  return new PipewrightError('PW_ERR_USAGE', message, { details })
}

/** `--var k=v` pairs into a record; the value may contain `=`. */
export function parseVars(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined
  const vars: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw usage(`--var ${pair} is not of the form name=value`, 'Write it as --var name=value, e.g. --var version=1.2.3.')
    vars[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return vars
}

/** A whole number ≥ 1 from an option such as `--concurrency`. */
export function parsePositiveInt(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw usage(`${option} ${value} is not a whole number of at least 1`, `Pass ${option} with a number such as 4.`)
  return n
}

const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3 }

/** A size option such as `--log-limit 64MiB`, in bytes (a bare number is bytes). */
export function parseSizeOption(option: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value)
  const unit = SIZE_UNITS[(m?.[2] || 'b').toLowerCase()]
  if (!m || unit === undefined || Number(m[1]) <= 0) throw usage(`${option} ${value} is not a size`, `Pass ${option} as a number with a unit, e.g. 512KiB, 64MiB or 1GiB.`)
  return Math.round(Number(m[1]) * unit)
}

/** A duration option such as `--interval 30s`, in milliseconds. */
export function parseDurationOption(option: string, value: string): number {
  const ms = parseDuration(value)
  if (ms === undefined || ms <= 0) throw usage(`${option} ${value} is not a duration`, `Pass ${option} as a number with a unit, e.g. 30s, 5m or 1h.`)
  return ms
}

/**
 * `PIPEWRIGHT_PROGRESS_INTERVAL` (meant for tests and CI): how long a stage may be silent before
 * plain output says it is still running, e.g. `10s` or `500ms`; `0` turns those lines off.
 * Undefined when unset, so the renderer's default applies.
 */
export function progressIntervalFromEnv(env: Record<string, string | undefined>): number | undefined {
  const value = env.PIPEWRIGHT_PROGRESS_INTERVAL
  if (value === undefined || value.trim() === '') return undefined
  const ms = parseDuration(value)
  if (ms === undefined) throw usage(`PIPEWRIGHT_PROGRESS_INTERVAL=${value} is not a duration`, 'Set it to a duration such as 30s or 500ms, or 0 to turn "still running" lines off.')
  return ms
}
