import type { Logger } from '@pipewright/plugin-api'
import { println, type Colors, type OutputStream } from './io.js'

function formatFields(fields: Record<string, unknown> | undefined): string {
  if (!fields || Object.keys(fields).length === 0) return ''
  return ` ${Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')}`
}

/** Engine diagnostics on stderr: warnings and errors always, debug and info with --debug. */
export function createEngineLogger(out: OutputStream, c: Colors, debug: boolean): Logger {
  const write = (level: string, color: (s: string) => string, message: string, fields?: Record<string, unknown>) =>
    println(out, `${color(level)} ${message}${c.dim(formatFields(fields))}`)
  return {
    debug: (m, f) => debug && write('debug', c.dim, m, f),
    info: (m, f) => debug && write('info', c.cyan, m, f),
    warn: (m, f) => write('warning', c.yellow, m, f),
    error: (m, f) => write('error', c.red, m, f),
  }
}
