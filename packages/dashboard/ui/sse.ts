import type { StreamEvent } from './types.js'

/**
 * Splits a text/event-stream body into events (the WHATWG parsing rules: `id`, `event`, `data`
 * lines, comments, CRLF or LF, an event ends at a blank line). Feed chunks; complete events come out.
 */
export class EventStreamParser {
  private buffer = ''
  private id: string | undefined
  private event = ''
  private data: string[] = []

  push(chunk: string): StreamEvent[] {
    this.buffer += chunk
    const out: StreamEvent[] = []
    let start = 0
    for (;;) {
      const nl = this.buffer.indexOf('\n', start)
      if (nl < 0) break
      let line = this.buffer.slice(start, nl)
      start = nl + 1
      if (line.endsWith('\r')) line = line.slice(0, -1)
      const ev = this.line(line)
      if (ev) out.push(ev)
    }
    this.buffer = this.buffer.slice(start)
    return out
  }

  private line(line: string): StreamEvent | undefined {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = ''
        return undefined
      }
      const raw = this.data.join('\n')
      let data: unknown = raw
      try {
        data = JSON.parse(raw)
      } catch {
        data = raw
      }
      const ev: StreamEvent = { id: this.id, event: this.event || 'message', data }
      this.event = ''
      this.data = []
      return ev
    }
    if (line.startsWith(':')) return undefined
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.data.push(value)
    else if (field === 'event') this.event = value
    else if (field === 'id' && !value.includes('\0')) this.id = value
    return undefined
  }
}

export interface FollowOptions {
  /** Sent as `Authorization: Bearer …` (EventSource cannot send headers, so the stream is read with fetch). */
  token: string
  /** Resume after this event id (`Last-Event-ID`). */
  lastEventId?: string
  /** Called with every event, in order, each id at most once. */
  onEvent: (ev: StreamEvent) => void
  /** Connection state changes, for the page to show "reconnecting". */
  onState?: (state: 'open' | 'reconnecting' | 'ended' | 'error', detail?: string) => void
  signal: AbortSignal
  /** The stream is over once this event has been seen (the server closes after it). */
  endEvent?: string
  retryMs?: number
  fetchImpl?: typeof fetch
}

/**
 * Follows a run's event stream until `endEvent` or `signal` aborts: reconnects after a dropped
 * connection with `Last-Event-ID` set to the last event seen, so nothing is missed or repeated.
 * A 401/403/404 ends it (`error`), since retrying cannot help.
 */
export async function followEventStream(url: string, opts: FollowOptions): Promise<void> {
  const doFetch = opts.fetchImpl ?? fetch
  const endEvent = opts.endEvent ?? 'run:finished'
  let lastId = opts.lastEventId
  let failures = 0
  while (!opts.signal.aborted) {
    let ended = false
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${opts.token}`, accept: 'text/event-stream' }
      if (lastId !== undefined) headers['last-event-id'] = lastId
      const res = await doFetch(url, { headers, signal: opts.signal })
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        opts.onState?.('error', `${res.status}`)
        return
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`)
      opts.onState?.('open')
      failures = 0
      const parser = new EventStreamParser()
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        for (const ev of parser.push(value)) {
          if (ev.id !== undefined) lastId = ev.id
          opts.onEvent(ev)
          if (ev.event === endEvent) ended = true
        }
      }
    } catch (err) {
      if (opts.signal.aborted) return
      failures++
      opts.onState?.('reconnecting', err instanceof Error ? err.message : String(err))
    }
    if (ended) {
      opts.onState?.('ended')
      return
    }
    if (opts.signal.aborted) return
    opts.onState?.('reconnecting')
    await sleep(Math.min(opts.retryMs ?? 500 * 2 ** Math.min(failures, 4), 8000), opts.signal)
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(t)
      resolve()
    }, { once: true })
  })
}
