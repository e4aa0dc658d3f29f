import parsePrometheusTextFormat from 'parse-prometheus-text-format'

/** One series of a scrape, as it appears in the text format: histograms and summaries unfolded. */
export interface Series {
  name: string
  labels: Record<string, string>
  value: number
  /** The family's type (`counter`, `gauge`, `histogram`, `summary`, `untyped`). */
  type: string
}

/** Reads a sample value of the text format: a number, `NaN`, `+Inf`, `-Inf`. */
export function parseSampleValue(text: string | undefined): number {
  if (text === undefined) return Number.NaN
  const t = text.trim().toLowerCase()
  if (t === '+inf' || t === 'inf') return Number.POSITIVE_INFINITY
  if (t === '-inf') return Number.NEGATIVE_INFINITY
  if (t === 'nan' || t === '') return Number.NaN
  return Number(t)
}

/**
 * Parses an exposition (Prometheus text format 0.0.4) into the series a PromQL selector sees:
 * `x_bucket{le}`, `x_sum`, `x_count` for a histogram x; `x{quantile}`, `x_sum`, `x_count` for a summary.
 */
export function parseExposition(text: string): Series[] {
  const series: Series[] = []
  for (const family of parsePrometheusTextFormat(text)) {
    const type = family.type.toLowerCase()
    for (const metric of family.metrics) {
      const labels = metric.labels ?? {}
      const add = (name: string, value: string | undefined, extra: Record<string, string> = {}) =>
        void series.push({ name, labels: { ...labels, ...extra }, value: parseSampleValue(value), type })
      if (family.type === 'HISTOGRAM') {
        for (const [le, count] of Object.entries(metric.buckets ?? {})) add(`${family.name}_bucket`, count, { le })
        add(`${family.name}_sum`, metric.sum)
        add(`${family.name}_count`, metric.count)
      } else if (family.type === 'SUMMARY') {
        for (const [quantile, value] of Object.entries(metric.quantiles ?? {})) add(family.name, value, { quantile })
        add(`${family.name}_sum`, metric.sum)
        add(`${family.name}_count`, metric.count)
      } else {
        add(family.name, metric.value)
      }
    }
  }
  return series
}

/** A stable key for one series: its name and sorted labels. */
export function seriesKey(s: Pick<Series, 'name' | 'labels'>): string {
  return `${s.name}{${Object.keys(s.labels).sort().map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(',')}}`
}
