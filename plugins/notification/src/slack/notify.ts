import type { Notification, NotifierContext, NotifierDefinition } from '@pipewright/plugin-api'
import { postJson, type PostResult } from '../delivery/post-json.js'
import { composeMessage } from '../message.js'
import { slackPayload } from './blocks.js'
import { SlackConfig } from './config.js'

/** `notification/slack`: posts Block Kit blocks to an incoming webhook, with the webhook channel's retries. */
export async function notifySlack(ctx: NotifierContext, notification: Notification, config: SlackConfig): Promise<PostResult> {
  const message = composeMessage(ctx, notification)
  const body = Buffer.from(JSON.stringify(slackPayload(message)), 'utf8')
  return postJson(ctx, {
    channel: 'notification/slack',
    url: config.url,
    body,
    retry: config.retry,
    timeoutMs: config.timeout,
    // The path of an incoming-webhook URL is its secret.
    hidePath: true,
    headers: () => ({ 'content-type': 'application/json; charset=utf-8', 'user-agent': 'pipewright-notification/0.1' }),
  })
}

export const slackNotifier: NotifierDefinition<SlackConfig> = {
  description: 'Posts to a Slack incoming webhook: header, section with fields, context with the link.',
  configSchema: SlackConfig,
  notify: async (ctx, notification, config) => void (await notifySlack(ctx, notification, config)),
}
