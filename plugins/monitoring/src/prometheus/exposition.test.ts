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

  it('reads the special values of the text format', () => {
    expect(parseSampleValue('+Inf')).toBe(Number.POSITIVE_INFINITY)
    expect(parseSampleValue('-Inf')).toBe(Number.NEGATIVE_INFINITY)
    expect(parseSampleValue('NaN')).toBeNaN()
    expect(parseSampleValue('1.5e3')).toBe(1500)
  })
})
