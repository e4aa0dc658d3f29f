import type { Logger, PipewrightEvents } from '@pipewright/plugin-api'
import type { AuditEntry, AuditEntryInput, RunRecord, Store } from '@pipewright/store-api'
import type { EventBus } from '../engine/event-bus.js'

/** What a caller says happened; `at` defaults to now, `source` to `api`. */
export type AuditInput = Omit<AuditEntryInput, 'at' | 'source'> & { at?: number; source?: string }

/**
 * Appends one entry to the store's audit trail (the server calls this for token changes and API
 * actions). Pass names, never secret values: the trail is kept for good and exported as is.
 */
export function recordAudit(store: Store, input: AuditInput): Promise<AuditEntry> {
  const { at, source, ...rest } = input
  return store.appendAudit({ ...rest, at: at ?? Date.now(), source: source ?? 'api' })
}

type Mapper<K extends keyof PipewrightEvents> = (payload: PipewrightEvents[K], run: RunRecord) => Omit<AuditEntryInput, 'at' | 'source'> | undefined

const ENGINE = 'pipewright'

/** Which run events become audit entries, and how. */
const MAPPERS: { [K in keyof PipewrightEvents]?: Mapper<K> } = {
  'run:started': (p, run) => ({
    action: p.resumed ? 'run.resumed' : 'run.triggered',
    actor: run.triggeredBy ?? 'unknown',
    subject: { runId: run.id, pipeline: run.pipeline },
    data: {
      trigger: run.trigger ?? 'cli', stages: p.stages, branch: run.branch ?? null, commit: run.sha ?? null,
      vars: Object.keys(run.options.vars ?? {}).sort(), secrets: [...(run.options.secretNames ?? [])].sort(),
      ...(run.options.only ? { only: run.options.only } : {}), ...(run.options.from ? { from: run.options.from } : {}),
    },
  }),
  'gate:evaluated': (p, run) => p.verdict === 'pending' ? undefined : ({
    action: 'gate.evaluated', actor: ENGINE, subject: { runId: run.id, stageId: p.stageId, pipeline: run.pipeline },
    data: { gate: p.gate, verdict: p.verdict, reason: p.reason },
  }),
  'approval:requested': (p, run) => ({ action: 'approval.requested', actor: ENGINE, subject: { runId: run.id, stageId: p.stageId, pipeline: run.pipeline }, data: { reason: p.reason } }),
  'deploy:started': (p, run) => ({
    action: `${p.kind}.started`, actor: run.triggeredBy ?? ENGINE,
    subject: { runId: run.id, stageId: p.stageId, environment: p.environment, deploymentId: p.deploymentId, pipeline: run.pipeline },
    data: { version: p.version, strategy: p.strategy },
  }),
  'deploy:finished': (p, run) => ({
    action: `${p.kind}.finished`, actor: p.triggeredBy ?? run.triggeredBy ?? ENGINE,
    subject: { runId: run.id, stageId: p.stageId, environment: p.environment, deploymentId: p.deploymentId, pipeline: run.pipeline },
    data: {
      version: p.version, previousVersion: p.previousVersion ?? null, outcome: p.outcome, strategy: p.strategy, commit: p.commit ?? null,
      artifactDigest: p.artifactDigest ?? null, imageDigest: p.imageDigest ?? null, approvedBy: p.approvedBy, replaces: p.replaces ?? null,
      ...(p.error ? { error: p.error.code } : {}),
    },
  }),
  'run:finished': (p, run) => ({ action: 'run.finished', actor: ENGINE, subject: { runId: run.id, pipeline: run.pipeline }, data: { status: p.status, durationMs: p.durationMs } }),
}

/**
 * Writes a run's audit entries from its events, in the order they happened. A failed append is
 * reported as a warning: the run goes on (its records stay), `pipewright audit verify` still
 * vouches for every entry that was written.
 */
export class RunAuditTrail {
  private chain: Promise<void> = Promise.resolve()
  private unsubscribe: (() => void) | undefined

  constructor(private readonly store: Store, private readonly run: RunRecord, private readonly logger: Logger) {}

  attach(bus: EventBus): this {
    this.unsubscribe = bus.onAny((name, payload) => {
      if ((payload as { runId?: string } | null)?.runId !== this.run.id) return
      const mapper = MAPPERS[name as keyof PipewrightEvents] as Mapper<keyof PipewrightEvents> | undefined
      const mapped = mapper?.(payload as never, this.run)
      if (mapped === undefined) return
      const entry: AuditEntryInput = { ...mapped, at: (payload as { at: number }).at, source: this.run.trigger ?? 'cli' }
      this.chain = this.chain.then(() => this.store.appendAudit(entry)).then(
        () => undefined,
        (error: unknown) => this.logger.warn(`audit: could not record ${entry.action}: ${error instanceof Error ? error.message : String(error)}`),
      )
    })
    return this
  }

  /** Detaches and waits until every entry is written. */
  async close(): Promise<void> {
    this.unsubscribe?.()
    await this.chain
  }
}
