import type { MonitorContext, MonitorDefinition, MonitorHandle } from '@pipewright/plugin-api'
import { sampleEvery } from '../sampling.js'
import { PrometheusMonitorConfig } from './config.js'
import { createScraper } from './scrape.js'
import { createQuerier } from './server.js'

/** `monitoring/prometheus`: PromQL against a server, or selectors over a scraped /metrics endpoint. */
export function startPrometheusMonitor(ctx: MonitorContext, config: PrometheusMonitorConfig): MonitorHandle {
  const probe = config.server !== undefined
    ? createQuerier({ ...config, server: config.server, queries: config.queries ?? {} })
    : createScraper({ ...config, metrics: config.metrics!, values: config.values ?? {} })
  return sampleEvery(ctx, { intervalMs: config.interval, probe })
}

export const prometheusMonitor: MonitorDefinition<PrometheusMonitorConfig> = {
  description: 'Evaluates PromQL queries against a Prometheus server (or reads a /metrics endpoint), with thresholds per value.',
  configSchema: PrometheusMonitorConfig,
  start: startPrometheusMonitor,
}
