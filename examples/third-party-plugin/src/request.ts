import { performance } from 'node:perf_hooks'

export interface HttpAnswer {
  status: number
  body: string
  /** Wall-clock milliseconds from sending to the end of the body. */
  latencyMs: number
}

/**
 * One HTTP request with its own timeout, also ended by the stage's signal. Latency is measured
 * with the real monotonic clock, never the engine's (possibly fake) Clock: it is a measurement.
 */
export async function request(
  url: string,
  init: { method: string; headers: Record<string, string>; timeoutMs: number; signal: AbortSignal },
): Promise<HttpAnswer> {
  const signal = AbortSignal.any([init.signal, AbortSignal.timeout(init.timeoutMs)])
  const started = performance.now()
  const response = await fetch(url, { method: init.method, headers: init.headers, signal, redirect: 'follow' })
  const body = init.method === 'HEAD' ? '' : await response.text()
  return { status: response.status, body, latencyMs: Math.round((performance.now() - started) * 10) / 10 }
}

/** The reason a request threw, without the URL's credentials or query (they may hold secrets). */
export function describeFailure(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError') return 'timed out'
  if (e.name === 'AbortError') return 'cancelled'
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error)
}

/** The URL as safe to print: no user info, no query string. */
export function displayUrl(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.host}${u.pathname}`
}
