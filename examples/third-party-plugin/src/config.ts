import { durationSchema, z } from '@pipewright/plugin-api'

/** Plugin-wide settings (`plugins: [{ package: pipewright-plugin-http-check, config: {...} }]`). */
export const pluginConfigSchema = z.strictObject({
  /** Headers sent with every request, e.g. a User-Agent; per-stage headers win. */
  headers: z.record(z.string(), z.string()).default({}),
})
export type PluginConfig = z.output<typeof pluginConfigSchema>

const httpUrl = z.url({ protocol: /^https?$/, error: 'Must be an http:// or https:// URL' })

export const probeConfigSchema = z.strictObject({
  url: httpUrl,
  method: z.enum(['GET', 'HEAD']).default('GET'),
  /** Status codes that count as up. */
  expectStatus: z.union([z.number().int(), z.array(z.number().int()).min(1)]).default(200).transform((s) => (Array.isArray(s) ? s : [s])),
  /** Text the body must contain. */
  contains: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  /** Keep trying until this long has passed since the first attempt. */
  timeout: durationSchema.default(30_000),
  /** Pause between attempts. */
  interval: durationSchema.default(2_000),
  /** Limit for one request. */
  requestTimeout: durationSchema.default(10_000),
})
export type ProbeConfig = z.output<typeof probeConfigSchema>

export const maxLatencyConfigSchema = z.strictObject({
  /** Endpoint to measure; default the gated stage's `url` output (set by http-check/probe). */
  url: httpUrl.optional(),
  /** The slowest sample may take at most this long. */
  max: durationSchema,
  /** Requests to send, one after another. */
  samples: z.number().int().min(1).max(50).default(3),
  headers: z.record(z.string(), z.string()).default({}),
})
export type MaxLatencyConfig = z.output<typeof maxLatencyConfigSchema>
