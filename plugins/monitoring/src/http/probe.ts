import { describeFailure, withDeadline } from '../deadline.js'
import { displayUrl } from '../display-url.js'
import type { Observation } from '../sampling.js'
import type { HttpMonitorConfig } from './config.js'

/** Bodies are read up to this size for matching; the rest is not downloaded. */
export const MAX_BODY_BYTES = 1024 * 1024

/** Whether a status is one of the expected ones (`200`, `2xx`). */
export function statusExpected(status: number, expected: ReadonlyArray<number | string>): boolean {
  return expected.some((e) => (typeof e === 'number' ? e === status : Math.floor(status / 100) === Number(e[0])))
}

/**
 * One HTTP probe. Never throws: a refused connection, a time-out, an unexpected status or a body
 * that does not match is an unhealthy observation saying why. `status` is 0 when no answer came.
 * `latencyMs` runs from sending the request to the end of what was read (headers, and the body
 * when it is matched).
 */
export async function probeHttp(config: HttpMonitorConfig, signal: AbortSignal): Promise<Observation> {
  const where = `${config.method} ${displayUrl(config.url)}`
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  try {
    const { status, body } = await withDeadline(signal, config.timeout, async (deadline) => {
      const res = await fetch(config.url, { method: config.method, headers: config.headers, signal: deadline, redirect: 'follow' })
      const wantsBody = config['body-contains'] !== undefined || config['body-matches'] !== undefined
      return { status: res.status, body: wantsBody ? await readText(res, MAX_BODY_BYTES) : await discard(res) }
    })
    const values = { status, latencyMs: elapsed() }
    if (!statusExpected(status, config['expected-status'])) {
      return { healthy: false, values, reason: `${where} answered ${status} in ${values.latencyMs} ms (expected ${config['expected-status'].join(', ')})` }
    }
    const mismatch = bodyMismatch(body ?? '', config)
    if (mismatch) return { healthy: false, values, reason: `${where} answered ${status} but ${mismatch}` }
    return { healthy: true, values, reason: `${where} answered ${status} in ${values.latencyMs} ms` }
  } catch (error) {
    return { healthy: false, values: { status: 0, latencyMs: elapsed() }, reason: `${where} failed: ${describeFailure(error)}` }
  }
}

function bodyMismatch(body: string, config: HttpMonitorConfig): string | undefined {
  const contains = config['body-contains']
  if (contains !== undefined && !body.includes(contains)) return `its body does not contain ${JSON.stringify(contains)}`
  const pattern = config['body-matches']
  if (pattern !== undefined && !new RegExp(pattern).test(body)) return `its body does not match /${pattern}/`
  return undefined
}

async function readText(res: Response, limit: number): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < limit) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8')
}

// An unread body keeps its connection busy until garbage collection: drop it explicitly.
async function discard(res: Response): Promise<undefined> {
  await res.body?.cancel().catch(() => undefined)
  return undefined
}
