import { durationSchema, z } from '@pipewright/plugin-api'
import { RETRY_DEFAULTS, RetryConfig } from '../delivery/policy.js'

// `a@example.com` or `Release bot <a@example.com>`.
const Address = z.string().regex(/^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'An e-mail address: a@example.com or Name <a@example.com>')

/** `with:` of `notification/email`. */
export const EmailConfig = z.strictObject({
  host: z.string().min(1).describe('SMTP server host name or address.'),
  port: z.number().int().min(1).max(65535).default(587).describe('SMTP port: 587 (submission, STARTTLS), 465 (TLS), 25.'),
  secure: z.boolean().optional().describe('TLS from the first byte (port 465); default true on port 465, else false.'),
  starttls: z.enum(['opportunistic', 'required', 'never']).default('opportunistic').describe('Without `secure`: upgrade with STARTTLS when offered, always (fail otherwise), or never.'),
  from: Address.describe('Sender.'),
  to: z.array(Address).min(1).describe('Recipients.'),
  cc: z.array(Address).default([]).describe('Copy recipients.'),
  auth: z.strictObject({
    user: z.string().min(1).describe('SMTP user name.'),
    'password-secret': z.string().min(1).describe('Name of the secret holding the password.'),
  }).optional().describe('SMTP authentication; none when absent.'),
  'subject-prefix': z.string().default('[pipewright]').describe('Put before every subject ("" for none).'),
  timeout: durationSchema.pipe(z.number().min(1, 'Must be positive')).default(30_000).describe('Time allowed for connecting, the greeting and each command.'),
  retry: RetryConfig.default(RETRY_DEFAULTS).describe('Attempts and back-off for connection failures and 4xx (temporary) SMTP answers.'),
})
export type EmailConfig = z.output<typeof EmailConfig>
