import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, waitFor, type TestServer } from './helpers.js'

interface SseMessage { id: string; event: string; data: unknown }

/** Reads SSE messages until `stopAfter` of them came (then drops the connection) or the stream ends. */
async function readSse(url: string, token: string, options: { lastEventId?: string; stopAfter?: number } = {}): Promise<{ messages: SseMessage[]; ended: boolean }> {
  const controller = new AbortController()
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}) }, signal: controller.signal })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  const messages: SseMessage[] = []
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return { messages, ended: true }
    buffer += decoder.decode(value, { stream: true })
    let cut: number
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut)
      buffer = buffer.slice(cut + 2)
      const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]))
      if (fields.id === undefined) continue
      messages.push({ id: fields.id, event: fields.event!, data: JSON.parse(fields.data!) })
      if (options.stopAfter !== undefined && messages.length >= options.stopAfter) {
        controller.abort()
        return { messages, ended: false }
      }
    }
  }
}

const CHATTY = `name: chatty
stages:
  count:
    run: for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "line $i"; sleep 0.15; done
  after:
    needs: [count]
    run: echo done
`

describe('SSE of a run', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ 'pipewright.yml': CHATTY })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('resumes with Last-Event-ID after a dropped connection: no event lost, none duplicated', async () => {
    const { id } = (await (await t.api('/api/runs', { as: 'operator', json: { pipeline: 'chatty' } })).json()) as { id: string }
    const url = `${t.url}/api/runs/${id}/events`
    expect((await fetch(url)).status).toBe(401)
    // Drop the connection mid-run, after a few messages …
    await waitFor(async () => ((await t.engine.store.getLogs(id)).length >= 2 ? true : undefined))
    const first = await readSse(url, t.tokens.viewer, { stopAfter: 4 })
    expect(first.ended).toBe(false)
    const before = await t.engine.runs.get(id)
    expect(before?.status).toBe('running')
    // … then reconnect with the last id seen, and read to the end of the run.
    const rest = await readSse(url, t.tokens.viewer, { lastEventId: first.messages.at(-1)!.id })
    expect(rest.ended).toBe(true)
    const all = [...first.messages, ...rest.messages]
    expect(all.at(-1)!.event).toBe('run:finished')

    const eventSeqs = all.filter((m) => m.event !== 'stage:log').map((m) => Number(m.id.split('.')[0]))
    const journal = await t.engine.store.getEvents(id)
    expect(eventSeqs).toEqual(journal.map((e) => e.seq))
    expect(all.filter((m) => m.event !== 'stage:log').map((m) => m.event)).toEqual(journal.map((e) => e.type))
    const lines = all.filter((m) => m.event === 'stage:log').flatMap((m) => (m.data as { stageId: string; lines: string[] }).lines.map((l) => `${(m.data as { stageId: string }).stageId}: ${l}`))
    const stored = (await t.engine.runs.logs(id)).map((l) => `${l.stageId}: ${l.line}`)
    expect(lines).toEqual(stored)
    expect(lines.filter((l) => l.startsWith('count: line'))).toEqual(Array.from({ length: 12 }, (_, i) => `count: line ${i + 1}`))
    // Ids only grow.
    const ids = all.map((m) => m.id.split('.').map(Number) as [number, number])
    for (let i = 1; i < ids.length; i++) expect(ids[i]![0] + ids[i]![1]).toBeGreaterThan(ids[i - 1]![0] + ids[i - 1]![1])
  })

  it('replays a finished run from the start and ends', async () => {
    const { runs } = (await (await t.api('/api/runs?status=succeeded', { as: 'viewer' })).json()) as { runs: Array<{ id: string }> }
    const replay = await readSse(`${t.url}/api/runs/${runs[0]!.id}/events?lastEventId=0`, t.tokens.viewer)
    expect(replay.ended).toBe(true)
    expect(replay.messages[0]!.event).toBe('run:started')
    expect(replay.messages.at(-1)!.event).toBe('run:finished')
  })
})
