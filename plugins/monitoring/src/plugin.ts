import { definePlugin } from '@pipewright/plugin-api'
import { httpMonitor } from './http/monitor.js'
import { prometheusMonitor } from './prometheus/monitor.js'

/**
 * The monitoring plugin: monitors `monitoring/http` (probe a URL) and `monitoring/prometheus`
 * (PromQL against a server, or a /metrics endpoint read directly). The engine runs them for
 * analysis gates and post-deploy verification and judges their samples.
 */
export const monitoringPlugin = definePlugin({
  id: 'monitoring',
  apiVersion: 1,
  description: 'Monitors for live systems: HTTP probes, PromQL against Prometheus, /metrics scrapes.',
  register(api) {
    api.monitor('http', httpMonitor)
    api.monitor('prometheus', prometheusMonitor)
  },
})
