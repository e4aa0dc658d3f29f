import type { Notification, NotifierContext, PipewrightEvents, StageStatus } from '@pipewright/plugin-api'
import type { NotifyRoute } from '../pipeline/schema.js'
import { callPlugin } from '../plugins/host.js'
import { resolveConfig } from '../kernel/resolve-config.js'
import { serializeError } from '../kernel/serialize-error.js'
import { createSecretReader } from '../kernel/stage-context.js'
import type { RunSession } from '../kernel/session.js'
import { redactDeep } from '../security/redact.js'
import type { EventBus } from './event-bus.js'

/** The route name of an event: run and stage outcomes get their own (`run:failed`, `stage:failed`). */
function routeNames(name: string, payload: Record<string, unknown>): string[] {
  if (name === 'run:finished') return [name, `run:${String(payload.status)}`]
  if (name === 'stage:finished' && payload.status === 'failed') return [name, 'stage:failed']
  return [name]
}

/**
 * Calls the notifiers of a pipeline's `notify:` routes for the events of one run. A delivery that
 * fails never fails the run: it is recorded as `notification:failed` (with the error, redacted).
 * `settle()` waits for deliveries in flight, so a run's result comes after its notifications.
 */
export class NotificationRouter {
  private readonly inFlight = new Set<Promise<void>>()
  private readonly failedStages: Array<{ id: string; message: string; summary?: string }> = []
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
      if (!p || p.runId !== this.session.runId || name.startsWith('notification:') || name === 'stage:log') return
      if (name === 'stage:finished' && p.status === 'failed') {
        const error = p.error as { message?: string } | undefined
        this.failedStages.push({ id: String(p.stageId), message: error?.message ?? 'failed', ...(typeof p.summary === 'string' ? { summary: p.summary } : {}) })
      }
      const names = routeNames(name, p)
      for (const route of this.routes) {
        const event = names.find((n) => route.on.includes(n))
        if (!event) continue
        if (route.stages && typeof p.stageId === 'string' && !route.stages.some((s) => p.stageId === s || String(p.stageId).startsWith(`${s}[`))) continue
        const delivery = this.deliver(route, event, p).finally(() => this.inFlight.delete(delivery))
        this.inFlight.add(delivery)
      }
    })
    return this
  }

  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
    this.off?.()
  }

  private async deliver(route: NotifyRoute, event: string, payload: Record<string, unknown>): Promise<void> {
    const { session } = this
    const { host } = session.input
    const type = host.notifiers.get(route.uses)
    try {
      if (!type) throw new Error(`notifier ${route.uses} is not loaded`)
      const config = resolveConfig(type.definition.configSchema, route.with, this.exprContext(), `notify[${this.routes.indexOf(route)}].with`)
      const notification = redactDeep(this.compose(event, payload), session.redact)
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

  /** What people read: what happened, where, why, and a link when the server's URL is known. */
  private compose(event: string, p: Record<string, unknown>): Notification {
    const { input, runId } = this.session
    const pipeline = input.spec.name
    const fields: Record<string, string> = { pipeline, run: runId }
    if (input.git?.branch) fields.branch = input.git.branch
    if (input.git?.shortSha) fields.commit = input.git.shortSha
    if (typeof p.stageId === 'string') fields.stage = p.stageId
    const url = this.baseUrl ? `${this.baseUrl.replace(/\/$/, '')}/runs/${runId}` : undefined
    const base = { event, runId, fields, ...(url ? { url } : {}) }
    if (event.startsWith('run:') && typeof p.status === 'string') {
      const status = p.status as PipewrightEvents['run:finished']['status']
      const failures = this.failedStages.map((f) => `• ${f.id}: ${f.message}${f.summary ? `\n  ${f.summary.split('\n').slice(0, 5).join('\n  ')}` : ''}`)
      return {
        ...base,
        title: `${pipeline}: run ${status}`,
        text: status === 'failed' ? `Run ${runId} failed.\n${failures.join('\n')}` : `Run ${runId} ${status}.`,
        severity: status === 'failed' ? 'error' : status === 'cancelled' ? 'warning' : 'info',
      }
    }
    if (event === 'stage:failed' || (event === 'stage:finished' && (p.status as StageStatus) === 'failed')) {
      const error = p.error as { message?: string; details?: string } | undefined
      return { ...base, title: `${pipeline}: stage ${String(p.stageId)} failed`, text: [error?.message, p.summary, error?.details].filter(Boolean).join('\n'), severity: 'error' }
    }
    if (event === 'approval:requested') {
      return { ...base, title: `${pipeline}: approval needed for ${String(p.stageId)}`, text: String(p.reason ?? ''), severity: 'warning' }
    }
    if (event === 'risk:assessed') {
      const factors = (p.factors as Array<{ name: string; contribution: number; detail: string }>).filter((f) => f.contribution > 0).map((f) => `• ${f.name} +${f.contribution}: ${f.detail}`)
      return { ...base, title: `${pipeline}: risk ${String(p.score)}/100 for ${String(p.environment ?? 'the deploy')} (${String(p.decision)})`, text: factors.join('\n') || 'no factor adds risk', severity: p.decision === 'block' ? 'error' : p.decision === 'approval' ? 'warning' : 'info' }
    }
    const detail = ['reason', 'status', 'verdict', 'gate'].filter((k) => typeof p[k] === 'string').map((k) => `${k}: ${String(p[k])}`)
    return { ...base, title: `${pipeline}: ${event}`, text: detail.join('\n') || event, severity: 'info' }
  }
}
