import { CLOCK, type Notification, type NotifierContext, type NotifierDefinition } from '@pipewright/plugin-api'
import { postJson, type PostResult } from '../delivery/post-json.js'
import { composeMessage, renderText, type Message } from '../message.js'
import { readSecret } from '../secrets.js'
import { WebhookConfig } from './config.js'
import { signWebhook } from './sign.js'

const USER_AGENT = 'pipewright-notification/0.1'

/** The JSON body of a webhook delivery (documented in the README). */
export function webhookBody(message: Message): Record<string, unknown> {
  return {
    id: message.id,
    event: message.event,
    severity: message.severity,
    title: message.title,
    text: message.text,
    pipeline: message.pipeline,
    ...(message.runId ? { runId: message.runId } : {}),
    ...(message.stageId ? { stageId: message.stageId } : {}),
    ...(message.environment ? { environment: message.environment } : {}),
    ...(message.reason ? { reason: message.reason } : {}),
    ...(message.url ? { url: message.url } : {}),
    fields: message.fields,
    message: renderText(message),
    createdAt: message.createdAt,
  }
}

/**
 * `notification/webhook`: POSTs the notification as JSON. The body is serialised once, so every
 * attempt sends the same bytes with the same delivery id; the timestamp and signature are made
 * anew for each attempt.
 */
export async function notifyWebhook(ctx: NotifierContext, notification: Notification, config: WebhookConfig): Promise<PostResult> {
  const secret = config['signing-secret'] ? readSecret(ctx, config['signing-secret'], 'notification/webhook signing-secret') : undefined
  const message = composeMessage(ctx, notification)
  const body = Buffer.from(JSON.stringify(webhookBody(message)), 'utf8')
  const clock = ctx.resolve(CLOCK)
  return postJson(ctx, {
    channel: 'notification/webhook',
    url: config.url,
    body,
    retry: config.retry,
    timeoutMs: config.timeout,
    headers(attempt) {
      const timestamp = String(Math.floor(clock.now() / 1000))
      return {
        ...config.headers,
        'content-type': 'application/json; charset=utf-8',
        'user-agent': USER_AGENT,
        'x-pipewright-event': message.event,
        'x-pipewright-delivery': message.id,
        'idempotency-key': message.id,
        'x-pipewright-attempt': String(attempt),
        'x-pipewright-timestamp': timestamp,
        ...(secret === undefined ? {} : { 'x-pipewright-signature': signWebhook(secret, timestamp, body) }),
      }
    },
  })
}

export const webhookNotifier: NotifierDefinition<WebhookConfig> = {
  description: 'POSTs the notification as JSON, signed with HMAC-SHA256, retried with back-off under one idempotency key.',
  configSchema: WebhookConfig,
  notify: async (ctx, notification, config) => void (await notifyWebhook(ctx, notification, config)),
}
