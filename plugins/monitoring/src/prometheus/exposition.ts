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

const TYPE_LINE = /^#\s+TYPE\s+(\S+)\s+(\S+)\s*$/
const FOLDED = /^(histogram|summary)$/i

/** The declared type of a series' family: `x_bucket`, `x_sum`, `x_count` belong to histogram or summary `x`. */
function typeOf(name: string, declared: Map<string, string>): string {
  const own = declared.get(name)
  if (own) return own
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1]
  const folded = base === undefined ? undefined : declared.get(base)
  return folded && FOLDED.test(folded) ? folded : 'untyped'
}

/**
 * Parses an exposition (Prometheus text format 0.0.4) into the series a PromQL selector sees —
 * `x_bucket{le}`, `x_sum`, `x_count` for a histogram x; `x{quantile}`, `x_sum`, `x_count` for a
 * summary — with parse-prometheus-text-format reading every sample line.
 *
 * That library (1.1.1) folds a histogram or summary into one series, dropping every label but
 * `le`/`quantile` and the `_sum`/`_count` of labelled series (its issue #13), and loses the last
 * sample when the text does not end with a newline. So it is handed the text without the
 * histogram and summary TYPE lines — each of their lines then parses as a plain series with all
 * its labels — and with a final newline; the declared types are read here.
 */
export function parseExposition(text: string): Series[] {
  const declared = new Map<string, string>()
  const lines = text.split('\n').map((line) => {
    const type = TYPE_LINE.exec(line.trim())
    if (!type) return line
    declared.set(type[1]!, type[2]!.toLowerCase())
    return FOLDED.test(type[2]!) ? '' : line
  })
  const series: Series[] = []
  for (const family of parsePrometheusTextFormat(`${lines.join('\n')}\n`)) {
    for (const metric of family.metrics) {
      series.push({ name: family.name, labels: { ...metric.labels }, value: parseSampleValue(metric.value), type: typeOf(family.name, declared) })
    }
  }
  return series
}

/** A stable key for one series: its name and sorted labels. */
export function seriesKey(s: Pick<Series, 'name' | 'labels'>): string {
  return `${s.name}{${Object.keys(s.labels).sort().map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(',')}}`
}
