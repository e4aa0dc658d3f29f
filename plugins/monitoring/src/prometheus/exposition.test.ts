import { describe, expect, it } from 'vitest'
import { parseExposition, parseSampleValue, seriesKey } from './exposition.js'

// What prom-client 15 writes for a counter, a histogram, a summary and a NaN gauge.
const TEXT = `# HELP demo_requests_total x
# TYPE demo_requests_total counter
demo_requests_total{code="200"} 5
demo_requests_total{code="500"} 2

# HELP demo_latency_seconds h
# TYPE demo_latency_seconds histogram
demo_latency_seconds_bucket{le="0.1"} 1
demo_latency_seconds_bucket{le="+Inf"} 2
demo_latency_seconds_sum 0.55
demo_latency_seconds_count 2

# HELP demo_sum s
# TYPE demo_sum summary
demo_sum{quantile="0.5"} 3
demo_sum_sum 3
demo_sum_count 1

# HELP demo_g g
# TYPE demo_g gauge
demo_g Nan
`

describe('parseExposition', () => {
  it('unfolds histograms and summaries into the series a selector names', () => {
    const series = parseExposition(TEXT)
    expect(series.map((s) => `${seriesKey(s)} ${s.value}`)).toEqual([
      'demo_requests_total{code="200"} 5',
      'demo_requests_total{code="500"} 2',
      'demo_latency_seconds_bucket{le="0.1"} 1',
      'demo_latency_seconds_bucket{le="+Inf"} 2',
      'demo_latency_seconds_sum{} 0.55',
      'demo_latency_seconds_count{} 2',
      'demo_sum{quantile="0.5"} 3',
      'demo_sum_sum{} 3',
      'demo_sum_count{} 1',
      'demo_g{} NaN',
    ])
    expect(series[0]).toMatchObject({ type: 'counter' })
    expect(series[2]).toMatchObject({ type: 'histogram' })
  })

  it('keeps the labels, sums and counts of labelled histograms and summaries (which the parser alone folds away)', () => {
    const text = [
      '# HELP h Latency.',
      '# TYPE h histogram',
      'h_bucket{le="0.1",route="/a"} 2',
      'h_bucket{le="+Inf",route="/a"} 2',
      'h_sum{route="/a"} 0.1',
      'h_count{route="/a"} 2',
      'h_bucket{le="0.1",route="/b"} 1',
      'h_bucket{le="+Inf",route="/b"} 3',
      'h_sum{route="/b"} 0.3',
      'h_count{route="/b"} 3',
      '# TYPE s summary',
      's{quantile="0.9",op="read"} 0.7',
      's_count{op="read"} 9',
      '# TYPE c counter',
      'c{code="500"} 4',
    ].join('\n') // no final newline: the last sample must not be lost
    expect(parseExposition(text).map((s) => `${seriesKey(s)} ${s.value} ${s.type}`)).toEqual([
      'h_bucket{le="0.1",route="/a"} 2 histogram',
      'h_bucket{le="+Inf",route="/a"} 2 histogram',
      'h_sum{route="/a"} 0.1 histogram',
      'h_count{route="/a"} 2 histogram',
      'h_bucket{le="0.1",route="/b"} 1 histogram',
      'h_bucket{le="+Inf",route="/b"} 3 histogram',
      'h_sum{route="/b"} 0.3 histogram',
      'h_count{route="/b"} 3 histogram',
      's{op="read",quantile="0.9"} 0.7 summary',
      's_count{op="read"} 9 summary',
      'c{code="500"} 4 counter',
    ])
  })

  it('reads the special values of the text format', () => {
    expect(parseSampleValue('+Inf')).toBe(Number.POSITIVE_INFINITY)
    expect(parseSampleValue('-Inf')).toBe(Number.NEGATIVE_INFINITY)
    expect(parseSampleValue('NaN')).toBeNaN()
    expect(parseSampleValue('1.5e3')).toBe(1500)
  })
})
