import { PrometheusDriver, type InstantVector, type QueryResult } from 'prometheus-query'
import { describeFailure, withDeadline } from '../deadline.js'
import { displayUrl } from '../display-url.js'
import type { Observation } from '../sampling.js'
import type { PrometheusMonitorConfig } from './config.js'
import { judge, type Reading } from './verdict.js'

/** What one instant query gave: a single finite number, or why it is not one. */
export function readResult(result: QueryResult): Reading {
  switch (result.resultType) {
    case 'scalar': {
      const value = Number((result.result as unknown as [number, string])[1])
      return Number.isFinite(value) ? { value } : { missing: `the result is ${value}` }
    }
    case 'vector': {
      const vector = result.result as InstantVector[]
      if (vector.length === 0) return { missing: 'no data (the query returned no series)' }
      if (vector.length > 1) return { missing: `the query returned ${vector.length} series; aggregate them to one (sum, max, …)` }
      const value = vector[0]!.value.value
      // prometheus-query reads "+Inf" as NaN: either way not a number a threshold can judge.
      return Number.isFinite(value) ? { value } : { missing: `the result is ${value}` }
    }
    case 'matrix':
      return { missing: 'the query returned a range vector; wrap it in a function such as rate() or avg_over_time()' }
    default:
      return { missing: `the query returned a ${result.resultType}, not a number` }
  }
}

/**
 * Evaluates each named PromQL query as an instant query through prometheus-query, all at once.
 * An unreachable server, a rejected query or a time-out is an unhealthy sample naming the query.
 */
export function createQuerier(config: PrometheusMonitorConfig & { server: string; queries: Record<string, string> }) {
  let current: AbortSignal | undefined
  const driver = new PrometheusDriver({
    endpoint: config.server,
    baseURL: '/api/v1',
    headers: config.headers,
    timeout: config.timeout,
    // The driver takes no AbortSignal; every request it makes gets the current probe's, and goes
    // direct like fetch does (axios would otherwise follow HTTP_PROXY).
    requestInterceptor: { onFulfilled: (request) => Object.assign(request, { signal: current, proxy: false }) },
  })
  const where = displayUrl(config.server)

  return async function queryOnce(signal: AbortSignal): Promise<Observation> {
    const entries = Object.entries(config.queries)
    const outcomes = await withDeadline(signal, config.timeout, async (deadline) => {
      current = deadline
      return Promise.all(entries.map(([, query]) => driver.instantQuery(query).then(
        (result): Reading | Error => readResult(result),
        // A time-out cancels every request: say so rather than axios' "canceled".
        (error: unknown) => new Error(describeFailure(deadline.aborted ? deadline.reason : error)),
      )))
    }).catch((error: unknown) => new Error(describeFailure(error)))
    if (outcomes instanceof Error) return { healthy: false, values: {}, reason: `Prometheus at ${where} could not answer: ${outcomes.message}` }
    const failures = entries.flatMap(([name], i) => (outcomes[i] instanceof Error ? [`${name}: ${outcomes[i].message}`] : []))
    if (failures.length > 0) return { healthy: false, values: {}, reason: `Prometheus at ${where} could not answer: ${failures.join('; ')}` }
    // In the order of the configuration, so reasons read the same every time.
    return judge(Object.fromEntries(entries.map(([name], i) => [name, outcomes[i] as Reading])), config.thresholds)
  }
}
