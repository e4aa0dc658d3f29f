import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { EventStreamParser, followEventStream } from '../ui/sse.js'
import type { StreamEvent } from '../ui/types.js'

describe('EventStreamParser', () => {
  it('splits events across chunk boundaries, joins data lines, skips comments, takes CRLF', () => {
    const p = new EventStreamParser()
    const out: StreamEvent[] = []
    out.push(...p.push(': keep-alive\n\nid: 1\nevent: stage:started\nda'))
    expect(out).toEqual([])
    out.push(...p.push('ta: {"stageId":"build"}\n\r\nid: 2\r\nevent: note\r\ndata: line one\r\ndata: line two\r\n\r\n'))
    expect(out).toEqual([
      { id: '1', event: 'stage:started', data: { stageId: 'build' } },
      { id: '2', event: 'note', data: 'line one\nline two' },
    ])
  })

  it('keeps the last id for events that carry none, and names unnamed events "message"', () => {
    const p = new EventStreamParser()
    expect(p.push('id: 7\ndata: 1\n\ndata: 2\n\n')).toEqual([
      { id: '7', event: 'message', data: 1 },
      { id: '7', event: 'message', data: 2 },
    ])
  })
})

// A real SSE server on 127.0.0.1 that drops the first connection after three events: the client
// must reconnect with Last-Event-ID and get the rest exactly once, with the bearer token each time.
describe('followEventStream', () => {
  let server: Server | undefined
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())))

  it('resumes after a dropped connection with Last-Event-ID and misses no event', async () => {
    const all = Array.from({ length: 8 }, (_, i) => ({ id: String(i + 1), name: i === 7 ? 'run:finished' : 'stage:log', line: `line ${i + 1}` }))
    const seen: Array<{ lastEventId: string | undefined; auth: string | undefined }> = []
    server = createServer((req, res) => {
      const last = req.headers['last-event-id'] as string | undefined
      seen.push({ lastEventId: last, auth: req.headers.authorization })
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const from = last ? all.findIndex((e) => e.id === last) + 1 : 0
      const batch = seen.length === 1 ? all.slice(from, from + 3) : all.slice(from)
      for (const e of batch) res.write(`id: ${e.id}\nevent: ${e.name}\ndata: ${JSON.stringify({ stageId: 'a', line: e.line })}\n\n`)
      if (seen.length === 1) setTimeout(() => res.destroy(), 100) // the connection drops mid-run, after the client got three events
      else res.end()
    })
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    const { port } = server.address() as AddressInfo
    const got: StreamEvent[] = []
    const states: string[] = []
    await followEventStream(`http://127.0.0.1:${port}/api/runs/r1/events`, {
      token: 'tok-123',
      signal: new AbortController().signal,
      retryMs: 10,
      onEvent: (e) => got.push(e),
      onState: (s) => states.push(s),
    })
    expect(got.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8'])
    expect(got.map((e) => e.data.line)).toEqual(all.map((e) => e.line))
    expect(seen).toEqual([
      { lastEventId: undefined, auth: 'Bearer tok-123' },
      { lastEventId: '3', auth: 'Bearer tok-123' },
    ])
    expect(states).toContain('reconnecting')
    expect(states[states.length - 1]).toBe('ended')
  })

  it('stops on 401 instead of retrying', async () => {
    let calls = 0
    server = createServer((_req, res) => {
      calls++
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"PW_ERR_UNAUTHORIZED","message":"no"}}')
    })
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    const { port } = server.address() as AddressInfo
    const states: string[] = []
    await followEventStream(`http://127.0.0.1:${port}/x`, { token: 'bad', signal: new AbortController().signal, retryMs: 10, onEvent: () => {}, onState: (s) => states.push(s) })
    expect(calls).toBe(1)
    expect(states).toEqual(['error'])
  })
})
