import { PipewrightError, type Clock, type EvidenceSample, type EventInput, type EventName, type MonitorContext, type MonitorHandle, type MonitorSample } from '@pipewright/plugin-api'
import type { HealthRecord, Store } from '@pipewright/store-api'
import { monitorConfig, monitorNames } from '../analysis/analysis-run.js'
import { describeSample, judgeSample } from '../analysis/judge.js'
import { interpolate, type ExpressionContext } from '../expr/index.js'
import { resolveConfig } from '../kernel/resolve-config.js'
import { callPlugin, type PluginHost } from '../plugins/host.js'
import type { EnvironmentMonitorsSpec } from '../pipeline/environment-schema.js'
import type { PipelineSpec } from '../pipeline/schema.js'
import type { DeploymentAction } from './deployment-run.js'

/** What a watch needs from the engine. */
export interface WatchDeps {
  spec: PipelineSpec
  dir: string
  host: PluginHost
  store: Store
  clock: Clock
  vars: Record<string, string>
  emit<K extends EventName>(name: K, payload: EventInput<K>): void
  redact(text: string): string
  log(line: string): void
  /** Runs a healing action as a deployment run (lock, records, audit); resolves to its status. */
  heal(action: DeploymentAction): Promise<string>
  signal: AbortSignal
  /** The watch's id (its events' `runId`); default `watch-<environment>-<time>`. */
  id?: string
}

/**
 * Continuous monitoring of one environment between deploys (`environments.<name>.monitors`):
 * every sample is judged and stored as health history; `unhealthy-after` failed measurements in
 * a row make the environment unhealthy (`environment:unhealthy`, an alert), `healthy-after`
 * successful ones make it recovered (`environment:recovered`). While unhealthy, the `healing`
 * action (`restart`: the serving version deployed again; `rollback`) runs after a back-off that
 * doubles each time, at most `max` times — then the watch stops acting and says so
 * (`environment:healing` `gave-up`): never a restart loop. Resolves when `signal` aborts.
 */
export async function watchEnvironment(environment: string, deps: WatchDeps): Promise<void> {
  const env = deps.spec.environments?.[environment]
  const spec = env?.monitors
  if (!env || !spec) {
    throw new PipewrightError('PW_ERR_CONFIG_INVALID', `Environment ${environment} declares no monitors: there is nothing to watch`, {
      details: `Add environments.${environment}.monitors: { monitors: [{ uses: monitoring/http, with: { url: /healthz } }] } to the pipeline.`,
    })
  }
  const watchId = deps.id ?? `watch-${environment}-${deps.clock.now().toString(36)}`
  const expr: ExpressionContext = { env: {}, secrets: {}, vars: deps.vars, matrix: {}, stages: {}, run: { id: watchId, pipeline: deps.spec.name }, status: { success: true, failure: false, cancelled: false } }
  const baseUrl = interpolate(env.url, expr)
  const watch = new Watch(environment, spec, deps, watchId, expr)
  const names = monitorNames(spec.monitors)
  const handles: MonitorHandle[] = []
  // Monitors end on their own stop(): the watch's signal stops them all.
  const stopAll = () => void Promise.allSettled(handles.map((h) => h.stop()))
  deps.signal.addEventListener('abort', stopAll, { once: true })
  try {
    for (const [index, ref] of spec.monitors.entries()) {
      const type = deps.host.monitors.get(ref.uses)
      if (!type) throw new PipewrightError('PW_ERR_PLUGIN_NOT_FOUND', `Monitor type ${ref.uses} (environments.${environment}.monitors.monitors[${index}]) is not provided by any loaded plugin`)
      const config = resolveConfig(type.definition.configSchema, monitorConfig(ref, spec.interval, baseUrl), expr, `environments.${environment}.monitors.monitors[${index}].with`)
      const resolver = deps.host.resolverFor(type.pluginId)
      const ctx: MonitorContext = {
        runId: watchId,
        pipeline: { name: deps.spec.name, dir: deps.dir },
        git: undefined,
        logger: { debug: () => undefined, info: (m) => deps.log(m), warn: (m) => deps.log(m), error: (m) => deps.log(m) },
        signal: deps.signal,
        pluginConfig: type.pluginConfig,
        resolve: (token) => resolver.resolve(token),
        emit: (name, payload) => deps.emit(name, payload),
        redact: deps.redact,
        stageId: `watch:${environment}`,
      }
      handles.push(await callPlugin(type.pluginId, `monitor ${ref.uses}`, () => type.definition.start(ctx, config)))
    }
    deps.log(`watching ${environment} (${baseUrl}) with ${names.join(', ')}${spec.healing ? `; healing: ${spec.healing.action}, at most ${spec.healing.max}` : ''}`)
    await watch.inherit()
    await Promise.all(handles.map(async (handle, i) => {
      for await (const sample of handle.samples as AsyncIterable<MonitorSample>) await watch.observe(names[i]!, sample)
    }))
  } finally {
    deps.signal.removeEventListener('abort', stopAll)
    await Promise.allSettled(handles.map((h) => h.stop()))
    await watch.settled()
  }
}

class Watch {
  private failedInRow = 0
  private okInRow = 0
  private unhealthySince: number | undefined
  private recent: EvidenceSample[] = []
  private attempts = 0
  private healing: Promise<void> = Promise.resolve()
  private healTimer: AbortController | undefined
  /** Unhealthy as the previous watch left it (already announced): not announced again. */
  private inherited = false

  constructor(
    private readonly environment: string,
    private readonly spec: EnvironmentMonitorsSpec,
    private readonly deps: WatchDeps,
    private readonly watchId: string,
    private readonly expr: ExpressionContext,
  ) {}

  /**
   * Takes over the state the previous watch of this environment stored (another process's, or
   * this one's before a restart): if it left it unhealthy, that was announced already — the
   * watch goes on from there (healing once it measures it unhealthy itself, `environment:recovered`
   * when it recovers) instead of alerting again.
   */
  async inherit(): Promise<void> {
    const verdicts = await this.deps.store.listHealthRecords({ environment: this.environment, kind: 'verdict', limit: 50 }).catch(() => [])
    const last = verdicts.find((r) => r.source === 'watch')
    if (last?.verdict !== 'unhealthy') return
    this.unhealthySince = last.at
    this.inherited = true
    this.deps.log(`${this.environment} has been unhealthy since ${new Date(last.at).toISOString()} (announced then): not announced again`)
  }

  async observe(monitor: string, sample: MonitorSample): Promise<void> {
    const { deps, environment } = this
    const judged = judgeSample(monitor, sample, { ...this.spec, 'failure-limit': 0, 'inconclusive-limit': 0 }, this.expr)
    const reason = sample.reason === undefined ? undefined : deps.redact(sample.reason)
    const evidence: EvidenceSample = { monitor, at: sample.at, healthy: sample.healthy, values: sample.values, ...(reason ? { reason } : {}), measurement: judged.measurement }
    this.recent = [...this.recent.slice(-9), evidence]
    deps.emit('monitor:sample', { runId: this.watchId, stageId: `watch:${environment}`, monitor, healthy: sample.healthy, values: sample.values, ...(reason ? { reason } : {}), environment, source: 'watch' })
    await this.store([{ environment, at: sample.at, source: 'watch', kind: 'sample', healthy: judged.measurement === 'successful', monitor, values: sample.values, ...(reason ? { reason } : {}), runId: this.watchId }])
    if (judged.measurement === 'successful') {
      this.okInRow++
      this.failedInRow = 0
    } else {
      this.failedInRow++
      this.okInRow = 0
    }
    const now = deps.clock.now()
    if (this.inherited && this.failedInRow >= this.spec['unhealthy-after']) {
      this.inherited = false
      this.scheduleHealing()
    }
    if (this.unhealthySince === undefined && this.failedInRow >= this.spec['unhealthy-after']) {
      this.unhealthySince = now
      const why = `${this.failedInRow} failed measurement(s) in a row; last: ${describeSample(evidence)}${reason ? ` — ${reason}` : ''}`
      deps.log(`${environment} is unhealthy: ${why}`)
      deps.emit('environment:unhealthy', { runId: this.watchId, environment, reason: why, samples: this.recent })
      await this.store([{ environment, at: now, source: 'watch', kind: 'verdict', healthy: false, verdict: 'unhealthy', reason: why, runId: this.watchId }])
      this.scheduleHealing()
    } else if (this.unhealthySince !== undefined && this.okInRow >= this.spec['healthy-after']) {
      const unhealthyForMs = now - this.unhealthySince
      this.unhealthySince = undefined
      this.inherited = false
      this.attempts = 0
      this.healTimer?.abort()
      deps.log(`${environment} recovered after ${Math.round(unhealthyForMs / 1000)} s`)
      deps.emit('environment:recovered', { runId: this.watchId, environment, unhealthyForMs })
      await this.store([{ environment, at: now, source: 'watch', kind: 'verdict', healthy: true, verdict: 'recovered', reason: `${this.okInRow} successful measurement(s) in a row`, runId: this.watchId }])
    }
  }

  /** One healing action after its back-off, if still unhealthy then; the next is scheduled only if it stays unhealthy. */
  private scheduleHealing(): void {
    const healing = this.spec.healing
    if (!healing || this.spec.advisory || this.deps.signal.aborted) return
    const { environment, deps } = this
    if (this.attempts >= healing.max) {
      const reason = `gave up after ${this.attempts} ${healing.action}(s): ${environment} is still unhealthy — a person must look at it`
      deps.log(reason)
      deps.emit('environment:healing', { runId: this.watchId, environment, action: healing.action, attempt: this.attempts, max: healing.max, outcome: 'gave-up', reason })
      return
    }
    const delay = Math.min(healing.backoff * 2 ** this.attempts, healing['max-backoff'])
    const timer = new AbortController()
    this.healTimer = timer
    this.healing = this.healing.then(async () => {
      await deps.clock.sleep(delay, AbortSignal.any([timer.signal, deps.signal])).catch(() => undefined)
      if (timer.signal.aborted || deps.signal.aborted || this.unhealthySince === undefined) return
      this.attempts++
      const attempt = this.attempts
      deps.emit('environment:healing', { runId: this.watchId, environment, action: healing.action, attempt, max: healing.max, outcome: 'started', reason: `unhealthy since ${new Date(this.unhealthySince).toISOString()}` })
      deps.log(`healing ${environment}: ${healing.action} ${attempt} of at most ${healing.max}`)
      const current = healing.action === 'restart' ? (await deps.store.listDeployments({ environment, outcome: 'succeeded', limit: 1 }))[0] : undefined
      const status = healing.action === 'rollback' ? await deps.heal({ kind: 'rollback' }) : current ? await deps.heal({ kind: 'deploy', version: current.version }) : 'failed'
      deps.emit('environment:healing', { runId: this.watchId, environment, action: healing.action, attempt, max: healing.max, outcome: status === 'succeeded' ? 'succeeded' : 'failed', reason: `the ${healing.action} run ${status}` })
      // Measurements decide whether it worked: after a fresh back-off, act again only if still unhealthy.
      this.failedInRow = 0
      if (this.unhealthySince !== undefined) this.scheduleHealing()
    })
  }

  private async store(records: HealthRecord[]): Promise<void> {
    await this.deps.store.addHealthRecords(records).catch((error: unknown) => this.deps.log(`could not store health: ${error instanceof Error ? error.message : String(error)}`))
  }

  async settled(): Promise<void> {
    this.healTimer?.abort()
    await this.healing
  }
}
