import { errorCodeInfo, isPipewrightError } from '@pipewright/plugin-api'
import { createFakeClock, createStageContext } from '@pipewright/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { failedDeploy, notify, notifyWith } from './helpers/notifier.js'
import { startReceiver, verify, type Receiver } from './helpers/webhook-receiver.js'

const KEY = 'whsec-4f1e9a0c7b2d'
const secrets = { OPS_WEBHOOK_KEY: KEY }
const fast = { attempts: 4, 'base-delay': '20ms', 'max-delay': '200ms' }

let receiver: Receiver | undefined
afterEach(async () => {
  await receiver?.close()
  receiver = undefined
})

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  if (!isPipewrightError(error)) throw new Error(`expected a PipewrightError, got ${String(error)}`)
  return error
}

describe('notification/webhook against a receiver that verifies with the documented algorithm', () => {
  it('delivers a signed JSON body that says what happened, where, why, with the link', async () => {
    receiver = await startReceiver({ secret: KEY })
    await notify('webhook', { url: `${receiver.url}/hooks/pw`, 'signing-secret': 'OPS_WEBHOOK_KEY' }, failedDeploy(), { secrets })
    expect(receiver.requests).toHaveLength(1)
    const [req] = receiver.requests
    expect(req!.status).toBe(202)
    expect(req!.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-pipewright-event': 'deploy:rolled-back',
      'x-pipewright-attempt': '1',
      'x-pipewright-timestamp': expect.stringMatching(/^\d{10}$/),
      'x-pipewright-signature': expect.stringMatching(/^sha256=[0-9a-f]{64}$/),
    })
    expect(req!.headers['idempotency-key']).toBe(req!.headers['x-pipewright-delivery'])
    const [id, { body }] = [...receiver.processed][0]!
    expect(body).toMatchObject({
      id,
      event: 'deploy:rolled-back',
      severity: 'error',
      title: 'hello-service 1.4.2 rolled back in production',
      pipeline: 'hello-service',
      runId: 'run-20261130-0042',
      stageId: 'deploy-production',
      environment: 'production',
      reason: 'monitoring/http: GET http://10.0.0.5:8080/healthz answered 500 (expected 2xx)',
      url: 'https://pipewright.example.com/runs/run-20261130-0042',
      fields: { version: '1.4.2', 'previous version': '1.4.1' },
    })
    expect(body.message).toContain('Link: https://pipewright.example.com/runs/run-20261130-0042')
  })

  it('is retried when the receiver answers 500, under one idempotency key, and processed once', async () => {
    receiver = await startReceiver({ secret: KEY, failFirst: 2 })
    const ctx = await notify('webhook', { url: receiver.url, 'signing-secret': 'OPS_WEBHOOK_KEY', retry: fast }, failedDeploy(), { secrets })
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 500, 202])
    const keys = new Set(receiver.requests.map((r) => r.headers['idempotency-key']))
    expect(keys.size).toBe(1)
    expect(receiver.requests.map((r) => r.headers['x-pipewright-attempt'])).toEqual(['1', '2', '3'])
    // Every attempt carried the same bytes, each signed validly for its own timestamp.
    expect(new Set(receiver.requests.map((r) => r.raw.toString('hex'))).size).toBe(1)
    expect(receiver.processed.size).toBe(1)
    expect(ctx.captured.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringMatching(/^notification\/webhook: POST http:\/\/127\.0\.0\.1:\d+\/ answered 500 \(temporarily broken\) \(attempt 1 of 4\); retrying in 20 ms$/),
      expect.stringMatching(/answered 500 \(temporarily broken\) \(attempt 2 of 4\); retrying in 40 ms$/),
    ])
  })

  it('is never duplicated on the receiver\'s side when a receiver committed but failed to answer', async () => {
    receiver = await startReceiver({ secret: KEY, failAfterProcessing: 2 })
    await notify('webhook', { url: receiver.url, 'signing-secret': 'OPS_WEBHOOK_KEY', retry: fast }, failedDeploy(), { secrets })
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 500, 200])
    const [, entry] = [...receiver.processed][0]!
    expect(receiver.processed.size).toBe(1)
    expect(entry!.seen).toBe(3)
  })

  it('uses the notification\'s own id as the idempotency key, and a new one for each other notification', async () => {
    receiver = await startReceiver({ secret: KEY })
    const url = receiver.url
    await notify('webhook', { url, 'signing-secret': 'OPS_WEBHOOK_KEY' }, failedDeploy({ id: 'evt-0042' }), { secrets })
    await notify('webhook', { url, 'signing-secret': 'OPS_WEBHOOK_KEY' }, failedDeploy({ id: 'evt-0042' }), { secrets })
    await notify('webhook', { url, 'signing-secret': 'OPS_WEBHOOK_KEY' }, failedDeploy(), { secrets })
    await notify('webhook', { url, 'signing-secret': 'OPS_WEBHOOK_KEY' }, failedDeploy(), { secrets })
    expect(receiver.requests.map((r) => r.status)).toEqual([202, 200, 202, 202])
    expect([...receiver.processed.keys()]).toEqual(['evt-0042', expect.any(String), expect.any(String)])
  })

  it('backs off exponentially on the engine clock, and follows Retry-After on 429', async () => {
    receiver = await startReceiver({ secret: KEY, always: 503 })
    const clock = createFakeClock({ start: Date.now(), auto: true })
    const ctx = createStageContext({ clock, secrets, pipelineName: 'hello-service' })
    const error = await rejection(notifyWith(ctx, 'webhook', { url: receiver.url, 'signing-secret': 'OPS_WEBHOOK_KEY', retry: { attempts: 5, 'base-delay': '1s', 'max-delay': '5s' } }, failedDeploy()))
    expect(error.code).toBe('PW_ERR_NOTIFICATION_DELIVERY')
    const waits = ctx.captured.lines.filter((l) => l.level === 'warn').map((l) => Number(/retrying in (\d+) ms/.exec(l.message ?? '')?.[1]))
    expect(waits).toEqual([1000, 2000, 4000, 5000])
    await receiver.close()

    const { createServer } = await import('node:http')
    let hits = 0
    const limited = createServer((_req, res) => void (hits++ === 0 ? res.writeHead(429, { 'retry-after': '3' }).end() : res.writeHead(204).end()))
    await new Promise<void>((r) => limited.listen(0, '127.0.0.1', r))
    const ctx429 = createStageContext({ clock, secrets })
    await notifyWith(ctx429, 'webhook', { url: `http://127.0.0.1:${(limited.address() as { port: number }).port}/` }, failedDeploy())
    await new Promise((r) => limited.close(r))
    expect(hits).toBe(2)
    expect(ctx429.captured.lines.find((l) => l.level === 'warn')?.message).toMatch(/answered 429 \(attempt 1 of 4\); retrying in 3000 ms$/)
  })

  it('never retries another 4xx, and says which URL refused it — without credentials or query secrets', async () => {
    receiver = await startReceiver({ secret: 'not-the-key' })
    const url = `${receiver.url.replace('http://', 'http://ops:pa55word@')}/hooks/pw?token=q-9f8e7d`
    const error = await rejection(notify('webhook', { url, 'signing-secret': 'OPS_WEBHOOK_KEY', retry: fast }, failedDeploy(), { secrets }))
    expect(receiver.requests.map((r) => r.status)).toEqual([401])
    expect(error.code).toBe('PW_ERR_NOTIFICATION_REJECTED')
    expect(error.message).toMatch(/^notification\/webhook: POST http:\/\/127\.0\.0\.1:\d+\/hooks\/pw answered 401 \(bad signature\) \(not retried/)
    expect(`${error.message} ${error.details}`).not.toMatch(/pa55word|q-9f8e7d|ops:/)
    expect(error.details).toContain('Last status: 401')
    // The credentials went as Basic authorization, since fetch refuses them in the URL.
    expect(receiver.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('ops:pa55word').toString('base64')}`)
  })

  it('fails for good after the last attempt with a registered code naming the URL and the last status', async () => {
    receiver = await startReceiver({ secret: KEY, always: 503 })
    const error = await rejection(notify('webhook', { url: `${receiver.url}/hooks/pw?sig=abc`, 'signing-secret': 'OPS_WEBHOOK_KEY', retry: { ...fast, attempts: 3 } }, failedDeploy(), { secrets }))
    expect(receiver.requests).toHaveLength(3)
    expect(error.code).toBe('PW_ERR_NOTIFICATION_DELIVERY')
    expect(error.message).toMatch(/^notification\/webhook: POST http:\/\/127\.0\.0\.1:\d+\/hooks\/pw answered 503 \(configured failure\) after 3 attempts$/)
    expect(error.details).toContain('Last status: 503')
    expect(errorCodeInfo('PW_ERR_NOTIFICATION_DELIVERY')).toMatchObject({ plugin: 'notification', http: 502 })
  })

  it('retries a refused connection and a receiver that does not answer in time', async () => {
    const { createServer } = await import('node:net')
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as { port: number }).port
    await new Promise((r) => closed.close(r))
    const refused = await rejection(notify('webhook', { url: `http://127.0.0.1:${port}/x`, retry: { ...fast, attempts: 2 } }, failedDeploy()))
    expect(refused.code).toBe('PW_ERR_NOTIFICATION_DELIVERY')
    expect(refused.message).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/x failed: .*ECONNREFUSED.* after 2 attempts$/)
    expect(refused.details).toContain('Last status: no answer')

    receiver = await startReceiver({ secret: KEY, hangFirst: 1 })
    await notify('webhook', { url: receiver.url, 'signing-secret': 'OPS_WEBHOOK_KEY', timeout: '1s', retry: fast }, failedDeploy(), { secrets })
    expect(receiver.requests.map((r) => r.status)).toEqual([0, 202])
    expect(new Set(receiver.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1)
  })

  it('signs the timestamp: a replayed request with an old or altered timestamp is refused', async () => {
    receiver = await startReceiver({ secret: KEY })
    await notify('webhook', { url: receiver.url, 'signing-secret': 'OPS_WEBHOOK_KEY' }, failedDeploy(), { secrets })
    const { headers, raw } = receiver.requests[0]!
    const ts = Number(headers['x-pipewright-timestamp'])
    expect(verify(KEY, headers, raw, ts)).toBeUndefined()
    expect(verify(KEY, headers, raw, ts + 301)).toBe('stale timestamp (replay?)')
    expect(verify(KEY, { ...headers, 'x-pipewright-timestamp': String(ts + 60) }, raw, ts)).toBe('bad signature')
    expect(verify(KEY, headers, Buffer.concat([raw, Buffer.from(' ')]), ts)).toBe('bad signature')
  })

  it('never lets a secret of the run reach the receiver', async () => {
    receiver = await startReceiver({ secret: KEY })
    const leaked = 'db-pass-7a6b5c4d3e'
    await notify('webhook', { url: receiver.url, 'signing-secret': 'OPS_WEBHOOK_KEY' }, failedDeploy({
      title: `connect failed with ${leaked}`,
      text: `DATABASE_URL=postgres://app:${leaked}@db/app`,
      reason: `auth: ${Buffer.from(leaked).toString('base64')}`,
      fields: { password: leaked },
    }), { secrets: { ...secrets, DB_PASSWORD: leaked } })
    const raw = receiver.requests[0]!.raw.toString('utf8')
    expect(receiver.requests[0]!.status).toBe(202)
    for (const form of [leaked, Buffer.from(leaked).toString('base64'), KEY]) expect(raw).not.toContain(form)
    expect(JSON.parse(raw).text).toMatch(/^DATABASE_URL=postgres:\/\/app:\S+@db\/app$/)
  })

  it('refuses to send unsigned when the named secret is missing', async () => {
    receiver = await startReceiver({ secret: KEY })
    const error = await rejection(notify('webhook', { url: receiver.url, 'signing-secret': 'NOPE' }, failedDeploy()))
    expect(error.code).toBe('PW_ERR_SECRET_MISSING')
    expect(error.message).toBe('notification/webhook signing-secret names the secret NOPE, which this run does not have')
    expect(receiver.requests).toHaveLength(0)
  })

  it('stops retrying when the run is cancelled', async () => {
    receiver = await startReceiver({ secret: KEY, always: 500 })
    const run = new AbortController()
    const ctx = createStageContext({ secrets, signal: run.signal })
    const pending = rejection(notifyWith(ctx, 'webhook', { url: receiver.url, 'signing-secret': 'OPS_WEBHOOK_KEY', retry: { attempts: 5, 'base-delay': '1h' } }, failedDeploy()))
    while (receiver.requests.length === 0) await new Promise((r) => setTimeout(r, 5))
    run.abort()
    const error = await pending
    expect(error.code).toBe('PW_ERR_CANCELLED')
    expect(receiver.requests).toHaveLength(1)
  })
})
