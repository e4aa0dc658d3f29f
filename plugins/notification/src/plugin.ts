import { definePlugin } from '@pipewright/plugin-api'
import { emailNotifier } from './email/notify.js'
import { NOTIFICATION_ERRORS } from './errors.js'
import { fileNotifier } from './file/notify.js'
import { slackNotifier } from './slack/notify.js'
import { webhookNotifier } from './webhook/notify.js'

/**
 * The notification plugin: notifiers `notification/webhook` (signed JSON), `notification/slack`
 * (Block Kit), `notification/email` (SMTP) and `notification/file` (JSON lines). The engine calls
 * them from the `notify:` routes of a pipeline; every text they send has passed `ctx.redact`.
 */
export const notificationPlugin = definePlugin({
  id: 'notification',
  apiVersion: 1,
  description: 'Notifiers: signed webhooks, Slack, e-mail over SMTP, JSON-lines files.',
  errors: NOTIFICATION_ERRORS,
  register(api) {
    api.notifier('webhook', webhookNotifier)
    api.notifier('slack', slackNotifier)
    api.notifier('email', emailNotifier)
    api.notifier('file', fileNotifier)
  },
})
