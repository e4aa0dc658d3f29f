import { request } from 'node:http'
import type { HealthCheckSpec, HealthFailure } from './protocol.js'

export interface ProbeResult {
  ok: boolean
  status?: number
  body?: string
  error?: string
}

const BODY_EXCERPT = 200

/** One HTTP GET of the health path; never throws. */
export function probe(host: string, port: number, spec: Pick<HealthCheckSpec, 'path' | 'timeoutMs' | 'expectStatus'>): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: spec.path, method: 'GET', agent: false, timeout: spec.timeoutMs, headers: { 'user-agent': 'pipewright-agent', connection: 'close' } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (body.length < BODY_EXCERPT) body += chunk
      })
      res.on('end', () => {
        const status = res.statusCode ?? 0
        const ok = spec.expectStatus ? spec.expectStatus.includes(status) : status >= 200 && status < 400
        resolve({ ok, status, body: body.slice(0, BODY_EXCERPT).trim() })
      })
      res.on('error', (error) => resolve({ ok: false, error: error.message }))
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${spec.timeoutMs} ms`), { code: 'ETIMEDOUT' })))
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, error: error.code ? `${error.code}: ${error.message}` : error.message }))
    req.end()
  })
}

/** Says how a failed check ended, in one line: `GET …/healthz answered 503 "db down"`. */
export function describeFailure(f: HealthFailure): string {
  const last = f.status !== undefined ? `answered ${f.status}${f.body ? ` ${JSON.stringify(f.body)}` : ''}` : `failed: ${f.error ?? 'no answer'}`
  return `health check GET ${f.url} of instance ${f.instance} did not pass in ${Math.round(f.elapsedMs / 100) / 10} s (${f.attempts} attempt${f.attempts === 1 ? '' : 's'}); last ${last}`
}

/**
 * Probes until the instance is healthy, it dies (`alive` says so), the startup timeout passes, or
 * `signal` aborts. Resolves to undefined when healthy, else to what failed.
 */
export async function waitHealthy(
  instance: { id: string; host: string; port: number },
  spec: HealthCheckSpec,
  options: { alive: () => Promise<{ alive: boolean; reason?: string }>; signal?: AbortSignal },
): Promise<HealthFailure | undefined> {
  const started = Date.now()
  const url = `http://${instance.host}:${instance.port}${spec.path}`
  let attempts = 0
  let last: ProbeResult = { ok: false, error: 'not probed yet' }
  for (;;) {
    attempts++
    last = await probe(instance.host, instance.port, spec)
    if (last.ok) return undefined
    const elapsedMs = Date.now() - started
    const failure = (extra: Partial<HealthFailure> = {}): HealthFailure => ({
      instance: instance.id,
      url,
      attempts,
      elapsedMs,
      ...(last.status !== undefined ? { status: last.status, body: last.body ?? '' } : { error: last.error ?? 'no answer' }),
      ...extra,
    })
    if (options.signal?.aborted) return failure({ error: 'aborted' })
    if (elapsedMs >= spec.startupTimeoutMs) return failure()
    // A dead process never becomes healthy: fail at once, with the target's reason.
    const liveness = await options.alive()
    if (!liveness.alive) return failure(last.status === undefined ? { error: `instance ${liveness.reason ?? 'is not running'}` } : {})
    await sleep(Math.min(spec.intervalMs, Math.max(0, spec.startupTimeoutMs - elapsedMs)), options.signal)
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
