import { durationSchema, z } from '@pipewright/plugin-api'
import { parseSelector, type SeriesSelector } from './selector.js'

/** A value's name: the key it has in `sample.values` and in conditions. */
const ValueName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_-]*$/, 'Use letters, digits, _ and - (starting with a letter or _)')

const Threshold = z.strictObject({
  min: z.number().optional().describe('Unhealthy below this.'),
  max: z.number().optional().describe('Unhealthy above this.'),
  'no-data': z.enum(['unhealthy', 'healthy']).default('unhealthy').describe('What a missing value (no series, NaN, ±Inf) means.'),
}).refine((t) => t.min !== undefined || t.max !== undefined, { message: 'Give min, max or both' })
export type Threshold = z.output<typeof Threshold>

const Aggregate = z.enum(['sum', 'max', 'min', 'avg', 'count'])

const SelectorText = z.string().min(1).transform((text, ctx): SeriesSelector => {
  try {
    return parseSelector(text)
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `Invalid selector: ${(error as Error).message}` })
    return z.NEVER
  }
})

/** A value read from a /metrics scrape: a selector, or `{ selector, rate, aggregate }`. */
const ScrapeValue = z.preprocess(
  (value) => (typeof value === 'string' ? { selector: value } : value),
  z.strictObject({
    selector: SelectorText.describe('Metric name and label matchers, e.g. http_requests_total{code=~"5.."}.'),
    rate: z.boolean().default(false).describe('Per-second increase between two scrapes (for counters).'),
    aggregate: Aggregate.default('sum').describe('How several matching series become one value.'),
  }),
)
export type ScrapeValue = z.output<typeof ScrapeValue>

/** `with:` of `monitoring/prometheus`: either `server` + `queries`, or `metrics` + `values`. */
export const PrometheusMonitorConfig = z.strictObject({
  server: z.url({ protocol: /^https?$/ }).optional().describe('Base URL of a Prometheus server (its HTTP API is under /api/v1).'),
  queries: z.record(ValueName, z.string().min(1)).optional().describe('With `server`: value name → PromQL expression (instant query).'),
  metrics: z.url({ protocol: /^https?$/ }).optional().describe('Without a server: the /metrics URL to scrape directly.'),
  values: z.record(ValueName, ScrapeValue).optional().describe('With `metrics`: value name → selector (or { selector, rate, aggregate }).'),
  thresholds: z.record(ValueName, Threshold).default({}).describe('Value name → { min, max, no-data }: the sample is healthy when every one holds.'),
  interval: durationSchema.pipe(z.number().min(100, 'At least 100ms')).default(15_000).describe('Time between two samples.'),
  timeout: durationSchema.pipe(z.number().min(1, 'Must be positive')).default(10_000).describe('Time allowed for one request.'),
  headers: z.record(z.string(), z.string()).default({}).describe('Request headers, e.g. Authorization: Bearer ${{ secrets.PROM_TOKEN }}.'),
}).superRefine((c, ctx) => {
  const modes = [c.server !== undefined, c.metrics !== undefined].filter(Boolean).length
  if (modes !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'Set either `server` (with `queries`) or `metrics` (with `values`)' })
  if (c.server !== undefined && !nonEmpty(c.queries)) ctx.addIssue({ code: 'custom', path: ['queries'], message: 'With `server`, name at least one PromQL query' })
  if (c.server === undefined && c.queries !== undefined) ctx.addIssue({ code: 'custom', path: ['queries'], message: '`queries` need a `server`; with `metrics`, use `values`' })
  if (c.metrics !== undefined && !nonEmpty(c.values)) ctx.addIssue({ code: 'custom', path: ['values'], message: 'With `metrics`, name at least one value to read' })
  if (c.metrics === undefined && c.values !== undefined) ctx.addIssue({ code: 'custom', path: ['values'], message: '`values` need a `metrics` URL; with `server`, use `queries`' })
  const names = new Set(Object.keys(c.queries ?? c.values ?? {}))
  for (const name of Object.keys(c.thresholds)) {
    if (!names.has(name)) ctx.addIssue({ code: 'custom', path: ['thresholds', name], message: `No query or value named ${name}` })
  }
})
export type PrometheusMonitorConfig = z.output<typeof PrometheusMonitorConfig>

function nonEmpty(record: Record<string, unknown> | undefined): boolean {
  return record !== undefined && Object.keys(record).length > 0
}
