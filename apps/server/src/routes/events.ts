import type { LogLine, StoredEvent } from '@pipewright/store-api'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { ServerContext } from '../context.js'
import { runIdParams } from '../schemas.js'
import { findRunOr404 } from './runs.js'

/** Where a stream stands: the last journal event and the last log record sent. */
export interface StreamCursor {
  event: number
  log: number
}

/** `<event seq>.<log seq>` (what every message's `id:` carries); a plain `<seq>` means no log sent yet. */
export function parseCursor(value: string | undefined): StreamCursor {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value?.trim() ?? '')
  return match ? { event: Number(match[1]), log: Number(match[2] ?? 0) } : { event: 0, log: 0 }
}

const POLL_MS = 100
const HEARTBEAT_MS = 15_000

type Message = { at: number; name: string; data: unknown; cursor: StreamCursor }

/** The journal and log records after the cursor, merged in time order (events first on ties). */
async function nextMessages(ctx: ServerContext, runId: string, cursor: StreamCursor): Promise<Message[]> {
  const [events, logs] = await Promise.all([ctx.store.getEvents(runId, cursor.event), ctx.store.getLogs(runId, { afterSeq: cursor.log, limit: 500 })])
  const items: Array<{ at: number; order: number; event?: StoredEvent; log?: LogLine }> = [
    ...events.map((event, i) => ({ at: event.at, order: i, event })),
    ...logs.map((log, i) => ({ at: log.at, order: 1e9 + i, log })),
  ].sort((a, b) => a.at - b.at || a.order - b.order)
  let { event: e, log: l } = cursor
  // Logs after the newest event fetched wait for the next poll only if events are cut; they are not.
  return items.map((item) => {
    if (item.event) {
      e = item.event.seq
      return { at: item.at, name: item.event.type, data: item.event.payload, cursor: { event: e, log: l } }
    }
    const log = item.log!
    l = log.seq
    return { at: item.at, name: 'stage:log', data: { seq: log.seq, stageId: log.stageId, stream: log.stream, lines: log.line.split('\n'), ts: log.at }, cursor: { event: e, log: l } }
  })
}

function write(reply: FastifyReply, message: Message): void {
  reply.raw.write(`id: ${message.cursor.event}.${message.cursor.log}\nevent: ${message.name}\ndata: ${JSON.stringify(message.data)}\n\n`)
}

/**
 * Server-Sent Events of a run: its journal (`stage:started`, `stage:waiting`, `run:finished` …)
 * and its log records (`stage:log`), from the store, so a run of another process streams too.
 * Every message's id is `<event seq>.<log seq>`; a client that reconnects with it in
 * `Last-Event-ID` (or `?lastEventId=`) gets exactly what came after. The stream ends after
 * `run:finished` and the log records written before it.
 */
export function registerEvents(app: FastifyInstance, ctx: ServerContext): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/runs/:id/events', {
    schema: { summary: 'Server-Sent Events of a run (journal and log), resumable with Last-Event-ID', tags: ['runs'], params: runIdParams, querystring: z.object({ lastEventId: z.string().optional() }) },
  }, async (request, reply) => {
    const run = await findRunOr404(ctx, request.params.id)
    const cursor = parseCursor((request.headers['last-event-id'] as string | undefined) ?? request.query.lastEventId)
    reply.hijack()
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    reply.raw.write(': pipewright run events\nretry: 1000\n\n')
    let closed = false
    reply.raw.on('close', () => {
      closed = true
    })
    try {
      await stream(ctx, run.id, cursor, reply, () => closed)
    } catch (error) {
      request.log.error({ err: error }, 'event stream failed')
    }
    reply.raw.end()
  })
}

async function stream(ctx: ServerContext, runId: string, from: StreamCursor, reply: FastifyReply, isClosed: () => boolean): Promise<void> {
  let cursor = from
  let lastWrite = Date.now()
  let finished = false
  while (!isClosed()) {
    const messages = await nextMessages(ctx, runId, cursor)
    for (const message of messages) {
      write(reply, message)
      cursor = message.cursor
      lastWrite = Date.now()
      if (message.name === 'run:finished') finished = true
    }
    // After run:finished, the log records written before it are sent, then the stream ends.
    if (finished && messages.every((m) => m.name !== 'stage:log')) break
    if (Date.now() - lastWrite > HEARTBEAT_MS) {
      reply.raw.write(': keep-alive\n\n')
      lastWrite = Date.now()
    }
    if (!finished) await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
