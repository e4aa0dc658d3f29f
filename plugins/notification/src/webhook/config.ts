import { durationSchema, z } from '@pipewright/plugin-api'
import { RETRY_DEFAULTS, RetryConfig } from '../delivery/policy.js'

/** `with:` of `notification/webhook`. */
export const WebhookConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).describe('Where to POST the JSON body.'),
  'signing-secret': z.string().min(1).optional().describe('Name of the secret whose value keys the HMAC-SHA256 signature (X-Pipewright-Signature).'),
  headers: z.record(z.string(), z.string()).default({}).describe('Extra request headers.'),
  timeout: durationSchema.pipe(z.number().min(1, 'Must be positive')).default(10_000).describe('Time allowed for one attempt.'),
  retry: RetryConfig.default(RETRY_DEFAULTS).describe('Attempts and back-off for 5xx, 429 and connection failures.'),
})
export type WebhookConfig = z.output<typeof WebhookConfig>
