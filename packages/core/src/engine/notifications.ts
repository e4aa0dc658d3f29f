import type { EventInput, EventName, GitInfo, Notification, NotifierContext } from '@pipewright/plugin-api'
import type { NotifyRoute, PipelineSpec } from '../pipeline/schema.js'
import { callPlugin, type PluginHost } from '../plugins/host.js'
import { resolveConfig } from '../kernel/resolve-config.js'
import { serializeError } from '../kernel/serialize-error.js'
import { createSecretReader } from '../kernel/stage-context.js'
import type { RunSession } from '../kernel/session.js'
import { redactDeep, type Redactor } from '../security/redact.js'
import type { EventBus } from './event-bus.js'
import { composeNotification, runUrl, type FailedStage, type NotificationFacts } from './notification-message.js'
import { baseStageId, deliveryId, environmentsOf, routeNames, routeTakes } from './notification-routes.js'

/** Events never routed: the router's own, and log lines (one per line of output). */
const UNROUTED = (name: string) => name.startsWith('notification:') || name === 'stage:log'

/** What delivering a pipeline's notifications needs: a run's, or a watch's between deploys. */
export interface NotificationDeps {
  host: PluginHost
  spec: PipelineSpec
  /** The run (or watch) whose events are routed: events of other ids are ignored. */
  runId: string
  pipeline: { name: string; file?: string; dir: string }
  git?: GitInfo | undefined
  secrets: Map<string, string>
  vars: Record<string, string>
  redact: Redactor
  /** Emits `notification:sent` / `notification:failed` for this run (the engine stamps runId and time). */
  emit<K extends EventName>(name: K, payload: EventInput<K>): void
  /** The server's public URL, when known: messages link to `<url>/runs/<runId>`. */
  baseUrl?: string | undefined
  /** Stage ids the run plans (run events concern their deploy environments). */
  planned?: readonly string[]
}

/**
 * Calls the notifiers of a pipeline's `notify:` routes for the events of one run — or of one
 * environment watch, which has no run: the same routes, messages and records. A delivery that
 * fails never fails the run: the channel retries by its own policy, then the failure is recorded
 * as `notification:failed` (with the error, redacted) and shown by `pipewright show`.
 * `settle()` waits for deliveries in flight, so a run's result comes after its notifications.
 */
export class NotificationDispatcher {
  private readonly inFlight = new Set<Promise<void>>()
  private readonly failedStages: FailedStage[] = []
  private readonly occurrences = new Map<string, number>()
  /** The last delivery of each route: the next one waits for it. */
  private readonly chains = new Map<number, Promise<void>>()
  private readonly routes: readonly NotifyRoute[]
  private off: (() => void) | undefined

  constructor(private readonly deps: NotificationDeps) {
    this.routes = deps.spec.notify ?? []
  }

  /** Starts routing the events of `deps.runId` that `bus` carries. */
  attach(bus: EventBus): this {
    if (this.routes.length === 0) return this
    this.off = bus.onAny((name, payload) => {
      const p = payload as Record<string, unknown> | null
      if (!p || p.runId !== this.deps.runId || UNROUTED(name)) return
      this.route(name, p)
    })
    return this
  }

  /** Waits for the deliveries in flight, then stops listening. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
    this.off?.()
  }

  private route(name: string, p: Record<string, unknown>): void {
    if (name === 'stage:finished' && p.status === 'failed') this.noteFailure(p)
    const names = routeNames(name, p)
    let environments: string[] | undefined
    const environmentsOfEvent = () => (environments ??= environmentsOf(name, p, this.deps.spec, this.deps.planned ?? []))
    this.routes.forEach((route, index) => {
      const event = routeTakes(route, names, p, environmentsOfEvent)
      if (!event) return
      // Composed now (the run moves on); delivered after the route's earlier deliveries, so each
      // route receives its events in the order they happened.
      const notification = redactDeep(this.notification(index, event, p), this.deps.redact)
      const delivery = (this.chains.get(index) ?? Promise.resolve()).then(() => this.deliver(route, index, event, notification))
      this.chains.set(index, delivery)
      void delivery.finally(() => this.inFlight.delete(delivery))
      this.inFlight.add(delivery)
    })
  }

  private noteFailure(p: Record<string, unknown>): void {
    const error = p.error as { message?: string; details?: string } | undefined
    const stage = this.deps.spec.stages[baseStageId(String(p.stageId))]
    this.failedStages.push({
      id: String(p.stageId),
      message: error?.message ?? 'failed',
      ...(error?.details ? { details: error.details } : {}),
      ...(typeof p.summary === 'string' ? { summary: p.summary } : {}),
      ...(stage?.deploy ? { environment: stage.deploy.environment } : {}),
      ...(stage?.['continue-on-error'] ? { tolerated: true } : {}),
    })
  }

  private notification(routeIndex: number, event: string, p: Record<string, unknown>): Notification {
    const { spec, runId, git, baseUrl } = this.deps
    const stageEnv = typeof p.stageId === 'string' ? spec.stages[baseStageId(p.stageId)]?.deploy?.environment : undefined
    const facts: NotificationFacts = { pipeline: spec.name, runId, git, url: runUrl(baseUrl, runId), environment: stageEnv, failedStages: this.failedStages }
    const composed = composeNotification(event, p, facts)
    const key = [runId, routeIndex, event, composed.stageId ?? '', composed.environment ?? ''].join('/')
    const occurrence = (this.occurrences.get(key) ?? 0) + 1
    this.occurrences.set(key, occurrence)
    return { ...composed, id: deliveryId([key, occurrence]) }
  }

  /** `notification` is already redacted: a secret in a stage's error never reaches a receiver. */
  private async deliver(route: NotifyRoute, routeIndex: number, event: string, notification: Notification): Promise<void> {
    const { deps } = this
    const type = deps.host.notifiers.get(route.uses)
    try {
      if (!type) throw new Error(`notifier ${route.uses} is not loaded`)
      const config = resolveConfig(type.definition.configSchema, route.with, this.exprContext(), `notify[${routeIndex}].with`)
      const ctx: NotifierContext = {
        runId: deps.runId,
        pipeline: deps.pipeline,
        git: deps.git,
        logger: deps.host.loggerOf(type.pluginId),
        signal: new AbortController().signal,
        pluginConfig: type.pluginConfig,
        resolve: (token) => deps.host.resolverFor(type.pluginId).resolve(token),
        emit: (name, p) => deps.emit(name, redactDeep(p, deps.redact)),
        redact: deps.redact,
        secrets: createSecretReader(deps.secrets),
      }
      await callPlugin(type.pluginId, `notifier ${route.uses}`, () => type.definition.notify(ctx, notification, config))
      deps.emit('notification:sent', { notifier: route.uses, event })
    } catch (error) {
      deps.emit('notification:failed', { notifier: route.uses, event, error: serializeError(error, deps.redact) })
    }
  }

  private exprContext() {
    const { deps } = this
    return {
      env: {},
      secrets: Object.fromEntries(deps.secrets),
      vars: deps.vars,
      matrix: {},
      stages: {},
      run: { id: deps.runId, pipeline: deps.spec.name },
      ...(deps.git ? { git: deps.git } : {}),
      status: { success: true, failure: false, cancelled: false },
    }
  }
}

/** The dispatcher of one run: its session's plugins, secrets, redactor and plan. */
export function runNotifications(session: RunSession, baseUrl: string | undefined): NotificationDispatcher {
  const { input } = session
  return new NotificationDispatcher({
    host: input.host,
    spec: input.spec,
    runId: session.runId,
    pipeline: input.pipeline,
    git: input.git,
    secrets: input.secrets,
    vars: input.vars,
    redact: session.redact,
    emit: (name, payload) => session.emit(name, payload),
    baseUrl,
    planned: input.plan.stages.map((s) => s.id),
  })
}
