import type { Notification, NotifierContext } from '@pipewright/plugin-api'
import type { NotifyRoute } from '../pipeline/schema.js'
import { callPlugin } from '../plugins/host.js'
import { resolveConfig } from '../kernel/resolve-config.js'
import { serializeError } from '../kernel/serialize-error.js'
import { createSecretReader } from '../kernel/stage-context.js'
import type { RunSession } from '../kernel/session.js'
import { redactDeep } from '../security/redact.js'
import type { EventBus } from './event-bus.js'
import { composeNotification, runUrl, type FailedStage, type NotificationFacts } from './notification-message.js'
import { baseStageId, deliveryId, environmentsOf, routeNames, routeTakes } from './notification-routes.js'

/** Events never routed: the router's own, and log lines (one per line of output). */
const UNROUTED = (name: string) => name.startsWith('notification:') || name === 'stage:log'

/**
 * Calls the notifiers of a pipeline's `notify:` routes for the events of one run. A delivery that
 * fails never fails the run: the channel retries by its own policy, then the failure is recorded
 * as `notification:failed` (with the error, redacted) and shown by `pipewright show`.
 * `settle()` waits for deliveries in flight, so a run's result comes after its notifications.
 */
export class NotificationRouter {
  private readonly inFlight = new Set<Promise<void>>()
  private readonly failedStages: FailedStage[] = []
  private readonly occurrences = new Map<string, number>()
  private off: (() => void) | undefined

  constructor(
    private readonly session: RunSession,
    private readonly routes: readonly NotifyRoute[],
    private readonly baseUrl: string | undefined,
  ) {}

  attach(bus: EventBus): this {
    if (this.routes.length === 0) return this
    this.off = bus.onAny((name, payload) => {
      const p = payload as Record<string, unknown> | null
      if (!p || p.runId !== this.session.runId || UNROUTED(name)) return
      this.route(name, p)
    })
    return this
  }

  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
    this.off?.()
  }

  private route(name: string, p: Record<string, unknown>): void {
    if (name === 'stage:finished' && p.status === 'failed') {
      const error = p.error as { message?: string; details?: string } | undefined
      const stage = this.session.input.spec.stages[baseStageId(String(p.stageId))]
      this.failedStages.push({
        id: String(p.stageId),
        message: error?.message ?? 'failed',
        ...(error?.details ? { details: error.details } : {}),
        ...(typeof p.summary === 'string' ? { summary: p.summary } : {}),
        ...(stage?.deploy ? { environment: stage.deploy.environment } : {}),
        ...(stage?.['continue-on-error'] ? { tolerated: true } : {}),
      })
    }
    const names = routeNames(name, p)
    const { spec, plan } = this.session.input
    let environments: string[] | undefined
    const environmentsOfEvent = () => (environments ??= environmentsOf(name, p, spec, plan.stages.map((s) => s.id)))
    this.routes.forEach((route, index) => {
      const event = routeTakes(route, names, p, environmentsOfEvent)
      if (!event) return
      const delivery = this.deliver(route, index, event, p).finally(() => this.inFlight.delete(delivery))
      this.inFlight.add(delivery)
    })
  }

  private notification(routeIndex: number, event: string, p: Record<string, unknown>): Notification {
    const { input, runId } = this.session
    const stageEnv = typeof p.stageId === 'string' ? input.spec.stages[baseStageId(p.stageId)]?.deploy?.environment : undefined
    const facts: NotificationFacts = { pipeline: input.spec.name, runId, git: input.git, url: runUrl(this.baseUrl, runId), environment: stageEnv, failedStages: this.failedStages }
    const composed = composeNotification(event, p, facts)
    const key = [runId, routeIndex, event, composed.stageId ?? '', composed.environment ?? ''].join('/')
    const occurrence = (this.occurrences.get(key) ?? 0) + 1
    this.occurrences.set(key, occurrence)
    return { ...composed, id: deliveryId([key, occurrence]) }
  }

  private async deliver(route: NotifyRoute, routeIndex: number, event: string, payload: Record<string, unknown>): Promise<void> {
    const { session } = this
    const { host } = session.input
    const type = host.notifiers.get(route.uses)
    // Redacted before any notifier sees it: a secret in a stage's error never reaches a receiver.
    const notification = redactDeep(this.notification(routeIndex, event, payload), session.redact)
    try {
      if (!type) throw new Error(`notifier ${route.uses} is not loaded`)
      const config = resolveConfig(type.definition.configSchema, route.with, this.exprContext(), `notify[${routeIndex}].with`)
      const ctx: NotifierContext = {
        runId: session.runId,
        pipeline: session.input.pipeline,
        git: session.input.git,
        logger: host.loggerOf(type.pluginId),
        signal: new AbortController().signal,
        pluginConfig: type.pluginConfig,
        resolve: (token) => host.resolverFor(type.pluginId).resolve(token),
        emit: (name, p) => session.emit(name, redactDeep(p, session.redact)),
        redact: session.redact,
        secrets: createSecretReader(session.input.secrets),
      }
      await callPlugin(type.pluginId, `notifier ${route.uses}`, () => type.definition.notify(ctx, notification, config))
      session.emit('notification:sent', { notifier: route.uses, event })
    } catch (error) {
      session.emit('notification:failed', { notifier: route.uses, event, error: serializeError(error, session.redact) })
    }
  }

  private exprContext() {
    const { input } = this.session
    return {
      env: {},
      secrets: Object.fromEntries(input.secrets),
      vars: input.vars,
      matrix: {},
      stages: {},
      run: { id: this.session.runId, pipeline: input.spec.name },
      ...(input.git ? { git: input.git } : {}),
      status: { success: true, failure: false, cancelled: false },
    }
  }
}
