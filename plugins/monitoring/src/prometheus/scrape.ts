import { describeFailure, withDeadline } from '../deadline.js'
import { displayUrl } from '../display-url.js'
import type { Observation } from '../sampling.js'
import type { PrometheusMonitorConfig, ScrapeValue } from './config.js'
import { parseExposition, seriesKey, type Series } from './exposition.js'
import { formatSelector, matchesLabels } from './selector.js'
import { judge, type Reading } from './verdict.js'

const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1'

interface Scrape {
  /** Monotonic time of the scrape, in seconds. */
  t: number
  series: Series[]
}

/**
 * Reads values straight from a `/metrics` endpoint. A value with `rate: true` is the per-second
 * increase between this scrape and the previous one (per series, counter resets handled); so when
 * any value is a rate the first scrape is only a baseline and yields no sample.
 */
export function createScraper(config: PrometheusMonitorConfig & { metrics: string; values: Record<string, ScrapeValue> }) {
  const wantsRate = Object.values(config.values).some((v) => v.rate)
  let previous: Scrape | undefined

  return async function scrapeOnce(signal: AbortSignal): Promise<Observation | undefined> {
    let scrape: Scrape
    try {
      const text = await fetchExposition(config.metrics, config.headers, config.timeout, signal)
      scrape = { t: performance.now() / 1000, series: parseExposition(text) }
    } catch (error) {
      // A failed scrape breaks the rate chain: the next one starts a new baseline.
      previous = undefined
      return { healthy: false, values: {}, reason: `scrape of ${displayUrl(config.metrics)} failed: ${describeFailure(error)}` }
    }
    const before = previous
    previous = scrape
    if (wantsRate && !before) return undefined
    const readings: Record<string, Reading> = {}
    for (const [name, spec] of Object.entries(config.values)) readings[name] = readValue(spec, scrape, before)
    return judge(readings, config.thresholds)
  }
}

function readValue(spec: ScrapeValue, now: Scrape, before: Scrape | undefined): Reading {
  const matched = now.series.filter((s) => s.name === spec.selector.name && matchesLabels(spec.selector.matchers, s.labels))
  // Clients export a labelled counter only after its first increment: no `code="500"` series yet
  // means no errors yet, so a rate (or a count of series) of nothing is 0, not a gap.
  if (matched.length === 0) return spec.rate || spec.aggregate === 'count' ? { value: 0 } : { missing: `no series matches ${formatSelector(spec.selector)}` }
  let numbers = matched.map((s) => s.value)
  if (spec.rate && before) {
    const earlier = new Map(before.series.map((s) => [seriesKey(s), s.value]))
    const seconds = now.t - before.t
    // A series absent from the previous scrape started from zero in between; a drop is a reset.
    numbers = matched.map((s) => {
      const prev = earlier.get(seriesKey(s)) ?? 0
      return (s.value >= prev ? s.value - prev : s.value) / seconds
    })
  }
  const value = aggregate(numbers, spec.aggregate)
  return Number.isFinite(value) ? { value } : { missing: `${formatSelector(spec.selector)} is ${value}` }
}

function aggregate(numbers: number[], how: ScrapeValue['aggregate']): number {
  switch (how) {
    case 'count': return numbers.length
    case 'max': return Math.max(...numbers)
    case 'min': return Math.min(...numbers)
    case 'avg': return numbers.reduce((a, b) => a + b, 0) / numbers.length
    case 'sum': return numbers.reduce((a, b) => a + b, 0)
  }
}

async function fetchExposition(url: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<string> {
  return withDeadline(signal, timeoutMs, async (deadline) => {
    const res = await fetch(url, { headers: { accept: ACCEPT, ...headers }, signal: deadline })
    const text = await res.text()
    if (!res.ok) throw new Error(`answered ${res.status}`)
    return text
  })
}
