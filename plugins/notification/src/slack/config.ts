import { durationSchema, z } from '@pipewright/plugin-api'
import { RETRY_DEFAULTS, RetryConfig } from '../delivery/policy.js'

/** `with:` of `notification/slack`. */
export const SlackConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).describe('The Slack incoming-webhook URL, usually ${{ secrets.SLACK_WEBHOOK }}.'),
  timeout: durationSchema.pipe(z.number().min(1, 'Must be positive')).default(10_000).describe('Time allowed for one attempt.'),
  retry: RetryConfig.default(RETRY_DEFAULTS).describe('Attempts and back-off for 5xx, 429 and connection failures.'),
})
export type SlackConfig = z.output<typeof SlackConfig>
