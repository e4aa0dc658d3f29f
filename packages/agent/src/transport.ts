import { request } from 'node:http'
import { PipewrightError, isPipewrightError } from '@pipewright/plugin-api'

export interface Reply {
  status: number
  body: unknown
}

/** Errors as they cross the socket: the PipewrightError JSON, rebuilt on the client side. */
export function errorFromJson(json: unknown, fallback: string): PipewrightError {
  const e = (json as { error?: { code?: string; message?: string; details?: string; problems?: unknown[] } } | undefined)?.error
  if (e?.code && e.message) return new PipewrightError(e.code as `PW_ERR_${string}`, e.message, { ...(e.details ? { details: e.details } : {}), ...(Array.isArray(e.problems) ? { problems: e.problems as never } : {}) })
  return new PipewrightError('PW_ERR_INTERNAL', fallback)
}

export function errorToJson(error: unknown): { error: ReturnType<PipewrightError['toJSON']> } {
  const e = isPipewrightError(error) ? error : new PipewrightError('PW_ERR_INTERNAL', error instanceof Error ? error.message : String(error))
  return { error: e.toJSON() }
}

/**
 * One HTTP request over the unix socket, on its own connection: Node's global agent would put a
 * 5 s idle timeout on it, and an operation's stream may be quiet for longer (a canary pause). With `onLine`, a 200 answer is read as NDJSON, line by
 * line, and resolves when the agent ends it.
 */
export function call(socket: string, method: string, path: string, body?: unknown, onLine?: (line: unknown) => void, timeoutMs?: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      { socketPath: socket, method, path, agent: false, headers: { 'content-type': 'application/json', ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}) }, ...(timeoutMs ? { timeout: timeoutMs } : {}) },
      (res) => {
        res.setEncoding('utf8')
        const streaming = onLine !== undefined && res.statusCode === 200 && String(res.headers['content-type']).startsWith('application/x-ndjson')
        let buffer = ''
        res.on('data', (chunk: string) => {
          buffer += chunk
          if (!streaming) return
          let nl: number
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl)
            buffer = buffer.slice(nl + 1)
            if (line.trim()) onLine(JSON.parse(line))
          }
        })
        res.on('end', () => {
          if (streaming) return resolve({ status: res.statusCode ?? 0, body: undefined })
          try {
            resolve({ status: res.statusCode ?? 0, body: buffer ? JSON.parse(buffer) : undefined })
          } catch {
            resolve({ status: res.statusCode ?? 0, body: { error: { code: 'PW_ERR_INTERNAL', message: `unexpected answer: ${buffer.slice(0, 200)}` } } })
          }
        })
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(Object.assign(new Error('the agent did not answer in time'), { code: 'ETIMEDOUT' })))
    req.on('error', reject)
    req.end(payload)
  })
}
