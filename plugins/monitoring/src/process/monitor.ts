import { ENVIRONMENTS, type EnvironmentInstances, type MonitorContext, type MonitorDefinition, type MonitorHandle } from '@pipewright/plugin-api'
import { describeFailure } from '../deadline.js'
import { sampleEvery, type Observation } from '../sampling.js'
import { ProcessMonitorConfig } from './config.js'

/**
 * Judges one look at an environment's instances. `restarts` counts from the first look (the
 * baseline), so restarts from before the monitor started are not held against it.
 */
export function judgeInstances(status: EnvironmentInstances | undefined, config: ProcessMonitorConfig, baseline: Map<string, number>): Observation {
  const where = `environment ${config.environment}`
  if (!status) return { healthy: false, values: { running: 0, instances: 0, restarts: 0, failed: 0 }, reason: `${where} is not served by the deployment agent (no agent running, or never deployed)` }
  const running = status.instances.filter((i) => i.state === 'running')
  const failed = status.instances.filter((i) => i.state === 'failed')
  let restarts = 0
  for (const i of status.instances) {
    if (!baseline.has(i.id)) baseline.set(i.id, i.restarts ?? 0)
    restarts += Math.max(0, (i.restarts ?? 0) - baseline.get(i.id)!)
  }
  const values = { running: running.length, instances: status.instances.length, restarts, failed: failed.length }
  const minRunning = config['min-running'] ?? status.instances.length
  const problems: string[] = []
  if (status.instances.length === 0) problems.push('has no instances')
  if (running.length < minRunning) problems.push(`has ${running.length} of ${minRunning} instance(s) running`)
  if (failed.length > 0) problems.push(`${failed.map((i) => `${i.id} failed${i.lastExit ? ` (${i.lastExit})` : ''}`).join('; ')}`)
  if (restarts > config['max-restarts']) problems.push(`restarted ${restarts} time(s) since monitoring began (max ${config['max-restarts']})`)
  const summary = `${running.length}/${status.instances.length} running, ${restarts} restart(s), state ${status.state}${status.version ? `, version ${status.version}` : ''}`
  return problems.length > 0 ? { healthy: false, values, reason: `${where} ${problems.join('; ')} — ${summary}` } : { healthy: true, values, reason: `${where}: ${summary}` }
}

/** `monitoring/process`: the liveness and restarts of a deployed environment's instances, through the deployment agent. */
export function startProcessMonitor(ctx: MonitorContext, config: ProcessMonitorConfig): MonitorHandle {
  const environments = ctx.resolve(ENVIRONMENTS)
  const baseline = new Map<string, number>()
  return sampleEvery(ctx, {
    intervalMs: config.interval,
    async probe() {
      try {
        return judgeInstances(await environments.instances(config.environment), config, baseline)
      } catch (error) {
        return { healthy: false, values: { running: 0, instances: 0, restarts: 0, failed: 0 }, reason: `environment ${config.environment}: the deployment agent did not answer: ${describeFailure(error)}` }
      }
    },
  })
}

export const processMonitor: MonitorDefinition<ProcessMonitorConfig> = {
  description: "Liveness and restarts of a deployed environment's instances, through the deployment agent; samples { running, instances, restarts, failed }.",
  configSchema: ProcessMonitorConfig,
  start: startProcessMonitor,
}
