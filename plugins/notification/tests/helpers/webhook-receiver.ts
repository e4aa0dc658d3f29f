import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A webhook receiver written only from plugins/notification/README.md ("Verifying a delivery"):
 * it does not import the plugin. It recomputes the signature over `<timestamp>.<raw body>`,
 * refuses timestamps more than 5 minutes away, and processes each delivery id once.
 */
export interface Receiver {
  url: string
  /** Every request that arrived, in order, with its raw body and what the receiver answered. */
  requests: Array<{ headers: IncomingHttpHeaders; raw: Buffer; status: number; at: number }>
  /** Deliveries processed once each (signature valid), by id; `seen` counts how often the id arrived valid. */
  processed: Map<string, { body: Record<string, unknown>; seen: number }>
  /** Requests per delivery id (attempts, duplicates included). */
  attemptsFor(id: string): number
  close(): Promise<void>
}

export interface ReceiverOptions {
  secret: string
  /** Answer 500 to this many requests first (after verifying them). */
  failFirst?: number
  /** Answer this status to everything (after verifying). */
  always?: number
  /** Process the delivery, then still answer 500 this many times (a receiver that crashed after committing). */
  failAfterProcessing?: number
  /** Never answer the first N requests (the sender must time out). */
  hangFirst?: number
  /** The receiver's clock, in Unix seconds. */
  now?: () => number
}

const TOLERANCE_SECONDS = 300

/** The README's algorithm, reimplemented: returns why a request is refused, or undefined. */
export function verify(secret: string, headers: IncomingHttpHeaders, raw: Buffer, nowSeconds: number): string | undefined {
  const timestamp = headers['x-pipewright-timestamp']
  const signature = headers['x-pipewright-signature']
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp)) return 'no timestamp'
  if (typeof signature !== 'string' || !signature.startsWith('sha256=')) return 'no signature'
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return 'stale timestamp (replay?)'
  const expected = createHmac('sha256', secret).update(Buffer.concat([Buffer.from(`${timestamp}.`), raw])).digest()
  const given = Buffer.from(signature.slice('sha256='.length), 'hex')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature'
  return undefined
}

export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const requests: Receiver['requests'] = []
  const processed: Receiver['processed'] = new Map()
  let failures = 0
  let crashes = 0
  let hung = 0
  const now = options.now ?? (() => Math.floor(Date.now() / 1000))
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const answer = (status: number, body = '') => {
        requests.push({ headers: req.headers, raw, status, at: performance.now() })
        res.writeHead(status, { 'content-type': 'text/plain' }).end(body)
      }
      if (hung < (options.hangFirst ?? 0)) {
        hung++
        requests.push({ headers: req.headers, raw, status: 0, at: performance.now() })
        return
      }
      const refused = verify(options.secret, req.headers, raw, now())
      if (refused) return answer(401, refused)
      if (options.always) return answer(options.always, 'configured failure')
      if (failures < (options.failFirst ?? 0)) {
        failures++
        return answer(500, 'temporarily broken')
      }
      const id = req.headers['idempotency-key']
      if (typeof id !== 'string' || id !== req.headers['x-pipewright-delivery']) return answer(400, 'no idempotency key')
      const seen = processed.get(id)
      if (seen) seen.seen++
      else processed.set(id, { body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, seen: 1 })
      if (crashes < (options.failAfterProcessing ?? 0)) {
        crashes++
        return answer(500, 'crashed after commit')
      }
      answer(seen ? 200 : 202, seen ? 'duplicate ignored' : 'accepted')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    processed,
    attemptsFor: (id) => requests.filter((r) => r.headers['idempotency-key'] === id).length,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
