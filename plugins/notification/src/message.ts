import { randomUUID } from 'node:crypto'
import { CLOCK, type Notification, type NotifierContext } from '@pipewright/plugin-api'

/**
 * A notification made ready to send: every text already passed through the engine's redactor,
 * and the facts people need laid out — what happened, where, the failing stage or the reason,
 * and a link when there is one. Every channel formats this, never the raw notification.
 */
export interface Message {
  /** The delivery id: the notification's own `id`, or a new UUID. The same across retries. */
  id: string
  /** ISO time the message was made (engine clock). */
  createdAt: string
  event: string
  severity: Notification['severity']
  title: string
  text: string
  pipeline: string
  runId?: string
  stageId?: string
  environment?: string
  reason?: string
  url?: string
  fields: Record<string, string>
  /** Label → value, in display order: where it happened and why, then the extra fields. */
  facts: Array<[string, string]>
}

/** Builds the message of a notification; the only place its texts are read. */
export function composeMessage(ctx: NotifierContext, notification: Notification): Message {
  const r = (text: string | undefined) => (text === undefined ? undefined : ctx.redact(text))
  const fields = Object.fromEntries(Object.entries(notification.fields ?? {}).map(([k, v]) => [ctx.redact(k), ctx.redact(String(v))]))
  const message: Message = {
    id: notification.id ?? randomUUID(),
    createdAt: new Date(ctx.resolve(CLOCK).now()).toISOString(),
    event: notification.event,
    severity: notification.severity,
    title: r(notification.title) ?? '',
    text: r(notification.text) ?? '',
    pipeline: r(ctx.pipeline.name) ?? '',
    ...defined({
      runId: notification.runId ?? ctx.runId,
      stageId: r(notification.stageId),
      environment: r(notification.environment),
      reason: r(notification.reason),
      url: r(notification.url),
    }),
    fields,
    facts: [],
  }
  message.facts = [
    ['Pipeline', message.pipeline],
    ...(message.environment ? [['Environment', message.environment] as [string, string]] : []),
    ...(message.stageId ? [['Stage', message.stageId] as [string, string]] : []),
    ...(message.reason ? [['Reason', message.reason] as [string, string]] : []),
    ...(message.runId ? [['Run', message.runId] as [string, string]] : []),
    ...Object.entries(fields),
  ]
  return message
}

/** The message as plain text: title, text, the facts one per line, the link. */
export function renderText(message: Message): string {
  const lines = [message.title, '', ...(message.text ? [message.text, ''] : []), ...message.facts.map(([k, v]) => `${k}: ${v}`)]
  if (message.url) lines.push('', `Link: ${message.url}`)
  return lines.join('\n')
}

function defined<T extends Record<string, string | undefined>>(record: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== '')) as Partial<Record<keyof T, string>>
}
