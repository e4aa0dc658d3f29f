import { definePlugin } from '@pipewright/plugin-api'
import { httpMonitor } from './http/monitor.js'
import { processMonitor } from './process/monitor.js'
import { prometheusMonitor } from './prometheus/monitor.js'

/**
 * The monitoring plugin: monitors `monitoring/http` (probe a URL), `monitoring/prometheus`
 * (PromQL against a server, or a /metrics endpoint read directly) and `monitoring/process`
 * (a deployed environment's instances, through the deployment agent). The engine runs them for
 * analysis gates and post-deploy verification and judges their samples.
 */
export const monitoringPlugin = definePlugin({
  id: 'monitoring',
  apiVersion: 1,
  description: 'Monitors for live systems: HTTP probes, PromQL against Prometheus, /metrics scrapes, deployed instances.',
  register(api) {
    api.monitor('http', httpMonitor)
    api.monitor('prometheus', prometheusMonitor)
    api.monitor('process', processMonitor)
  },
})
