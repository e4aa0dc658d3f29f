import { durationSchema, z } from '@pipewright/plugin-api'

/** An expected status: a code (`204`) or a class (`2xx`). */
const StatusPattern = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5]xx$/, 'Use a status code (200) or a class like 2xx'),
])

const RegexSource = z.string().min(1).refine((source) => {
  try {
    new RegExp(source)
    return true
  } catch {
    return false
  }
}, { message: 'Not a valid regular expression (JavaScript syntax, no slashes or flags)' })

/** `with:` of `monitoring/http`. */
export const HttpMonitorConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).describe('The URL to probe (http or https).'),
  method: z.enum(['GET', 'HEAD']).default('GET').describe('Request method.'),
  interval: durationSchema.pipe(z.number().min(100, 'At least 100ms')).default(10_000).describe('Time between two probes.'),
  timeout: durationSchema.pipe(z.number().min(1, 'Must be positive')).default(5_000).describe('A probe without a full answer after this long is unhealthy.'),
  'expected-status': z.array(StatusPattern).min(1).default(['2xx']).describe('Statuses that count as healthy.'),
  'body-contains': z.string().min(1).optional().describe('Healthy only if the body contains this text.'),
  'body-matches': RegexSource.optional().describe('Healthy only if the body matches this regular expression.'),
  headers: z.record(z.string(), z.string()).default({}).describe('Request headers, e.g. Authorization: Bearer ${{ secrets.TOKEN }}.'),
}).superRefine((config, ctx) => {
  if (config.method === 'HEAD' && (config['body-contains'] || config['body-matches'])) {
    ctx.addIssue({ code: 'custom', path: ['method'], message: 'A HEAD request has no body to match: use GET with body-contains / body-matches' })
  }
})
export type HttpMonitorConfig = z.output<typeof HttpMonitorConfig>
