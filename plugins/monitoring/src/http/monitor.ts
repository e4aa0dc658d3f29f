import type { MonitorContext, MonitorDefinition, MonitorHandle } from '@pipewright/plugin-api'
import { sampleEvery } from '../sampling.js'
import { HttpMonitorConfig } from './config.js'
import { probeHttp } from './probe.js'

/** `monitoring/http`: probes a URL every `interval`; samples `{ status, latencyMs }`. */
export function startHttpMonitor(ctx: MonitorContext, config: HttpMonitorConfig): MonitorHandle {
  return sampleEvery(ctx, { intervalMs: config.interval, probe: (signal) => probeHttp(config, signal) })
}

export const httpMonitor: MonitorDefinition<HttpMonitorConfig> = {
  description: 'Probes a URL on an interval: status, latency and optionally the body; samples { status, latencyMs }.',
  configSchema: HttpMonitorConfig,
  start: startHttpMonitor,
}
