import { describe, expect, it } from 'vitest'
import { HttpMonitorConfig } from './http/config.js'
import { PrometheusMonitorConfig } from './prometheus/config.js'

const problems = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`)

describe('monitoring/http config', () => {
  it('fills defaults and parses durations', () => {
    expect(HttpMonitorConfig.parse({ url: 'http://127.0.0.1:8080/healthz', interval: '2s', timeout: 750 })).toEqual({
      url: 'http://127.0.0.1:8080/healthz',
      method: 'GET',
      interval: 2000,
      timeout: 750,
      'expected-status': ['2xx'],
      headers: {},
    })
  })

  it('reports every problem at once, with its path', () => {
    const result = HttpMonitorConfig.safeParse({ url: 'ftp://x', interval: '10ms', 'expected-status': [200, '6xx'], 'body-matches': '(', extra: 1 })
    expect(problems(result)).toEqual([
      'url: Invalid URL',
      'interval: At least 100ms',
      'expected-status.1: Use a status code (200) or a class like 2xx',
      'body-matches: Not a valid regular expression (JavaScript syntax, no slashes or flags)',
      ': Unrecognized key: "extra"',
    ])
  })

  it('refuses body matching on HEAD', () => {
    expect(problems(HttpMonitorConfig.safeParse({ url: 'http://h/', method: 'HEAD', 'body-contains': 'ok' }))).toEqual([
      'method: A HEAD request has no body to match: use GET with body-contains / body-matches',
    ])
  })
})

describe('monitoring/prometheus config', () => {
  it('server mode: named PromQL queries and thresholds', () => {
    const config = PrometheusMonitorConfig.parse({
      server: 'http://127.0.0.1:9090',
      queries: { 'error-ratio': 'sum(rate(x{code=~"5.."}[1m])) / sum(rate(x[1m]))' },
      thresholds: { 'error-ratio': { max: 0.01 } },
      interval: '5s',
    })
    expect(config).toMatchObject({ interval: 5000, timeout: 10_000, thresholds: { 'error-ratio': { max: 0.01, 'no-data': 'unhealthy' } } })
  })

  it('scrape mode: selectors as text or with options, parsed up front', () => {
    const config = PrometheusMonitorConfig.parse({
      metrics: 'http://127.0.0.1:8080/metrics',
      values: { errors: { selector: 'http_requests_total{code=~"5.."}', rate: true }, inflight: 'in_flight' },
    })
    expect(config.values).toEqual({
      errors: { selector: { name: 'http_requests_total', matchers: [{ label: 'code', op: '=~', value: '5..' }] }, rate: true, aggregate: 'sum' },
      inflight: { selector: { name: 'in_flight', matchers: [] }, rate: false, aggregate: 'sum' },
    })
  })

  it('says which mode is incomplete, which selector is wrong and which threshold names nothing', () => {
    expect(problems(PrometheusMonitorConfig.safeParse({ queries: { a: 'up' } }))).toEqual([
      ': Set either `server` (with `queries`) or `metrics` (with `values`)',
      'queries: `queries` need a `server`; with `metrics`, use `values`',
    ])
    expect(problems(PrometheusMonitorConfig.safeParse({ server: 'http://p:9090', metrics: 'http://s/metrics', values: {} }))).toEqual([
      ': Set either `server` (with `queries`) or `metrics` (with `values`)',
      'queries: With `server`, name at least one PromQL query',
      'values: With `metrics`, name at least one value to read',
    ])
    expect(problems(PrometheusMonitorConfig.safeParse({
      metrics: 'http://s/metrics',
      values: { bad: 'x{code=500}' },
      thresholds: { missing: { max: 1 }, bad: {} },
    }))).toEqual([
      'values.bad.selector: Invalid selector: expected a quoted label value at position 8 of "x{code=500}"',
      'thresholds.bad: Give min, max or both',
    ])
    expect(problems(PrometheusMonitorConfig.safeParse({ metrics: 'http://s/metrics', values: { ok: 'x' }, thresholds: { missing: { max: 1 } } }))).toEqual([
      'thresholds.missing: No query or value named missing',
    ])
  })
})
