import { definePlugin } from '@pipewright/plugin-api'
import { maxLatencyConfigSchema, pluginConfigSchema, probeConfigSchema } from './config.js'
import { maxLatency } from './max-latency.js'
import { probe } from './probe.js'

/** Probes HTTP endpoints and gates on their latency. Built only on `@pipewright/plugin-api`. */
const plugin = definePlugin({
  id: 'http-check',
  // The plugin-api major this code was written against (not API_VERSION, which is whatever is installed).
  apiVersion: 1,
  description: 'Probe an HTTP endpoint until it is up; gate on its latency.',
  configSchema: pluginConfigSchema,
  register(api) {
    api.stage('probe', {
      description: 'Requests a URL until it answers with an expected status (and text), or times out.',
      configSchema: probeConfigSchema,
      outputs: ['status', 'latencyMs', 'attempts', 'url'],
      run: probe,
    })
    api.gate('max-latency', {
      description: 'Fails when a request to the URL takes longer than `max`.',
      configSchema: maxLatencyConfigSchema,
      evaluate: maxLatency,
    })
  },
})

export default plugin
export { maxLatencyConfigSchema, pluginConfigSchema, probeConfigSchema } from './config.js'
export type { MaxLatencyConfig, PluginConfig, ProbeConfig } from './config.js'
