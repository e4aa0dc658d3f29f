import { describe, expect, it } from 'vitest'
import { judge } from './verdict.js'

const t = (min?: number, max?: number, noData: 'healthy' | 'unhealthy' = 'unhealthy') => ({ min, max, 'no-data': noData })

describe('judge', () => {
  it('is healthy when every threshold holds, and lists every value', () => {
    expect(judge({ errors: { value: 0.004 }, p95: { value: 0.21 }, rps: { value: 12 } }, { errors: t(undefined, 0.01), p95: t(undefined, 0.3) })).toEqual({
      healthy: true,
      values: { errors: 0.004, p95: 0.21, rps: 12 },
      reason: 'errors=0.004 (max 0.01); p95=0.21 (max 0.3); rps=12',
    })
  })

  it('names the broken thresholds first', () => {
    const sample = judge({ rps: { value: 3 }, errors: { value: 0.25 } }, { rps: t(5), errors: t(undefined, 0.01) })
    expect(sample.healthy).toBe(false)
    expect(sample.reason).toBe('rps=3 below min 5; errors=0.25 above max 0.01')
  })

  it('treats a missing value as unhealthy under a threshold unless no-data: healthy', () => {
    expect(judge({ errors: { missing: 'no data' } }, { errors: t(undefined, 0.01) })).toEqual({ healthy: false, values: {}, reason: 'errors: no data' })
    expect(judge({ errors: { missing: 'no data' } }, { errors: t(undefined, 0.01, 'healthy') }).healthy).toBe(true)
    expect(judge({ errors: { missing: 'no data' } }, {}).healthy).toBe(true)
  })
})
