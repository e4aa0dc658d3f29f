import type { Engine } from '@pipewright/core'
import type { RunStatus } from '@pipewright/plugin-api'
import type { Store } from '@pipewright/store-api'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']
/** Runs counted by status at each scrape (the newest this many). */
const COUNTED_RUNS = 10_000

export interface Metrics {
  readonly registry: Registry
  webhook(forge: string, outcome: 'started' | 'ignored' | 'duplicate' | 'rejected' | 'invalid'): void
  /** Stops listening to the engine. */
  stop(): void
}

/**
 * The server's Prometheus metrics, in a registry of its own: runs by status and the queue depth
 * (read from the store at each scrape, so runs of other processes count too), stage durations and
 * environment lock waits (from this engine's events), webhook deliveries by outcome.
 */
export function createMetrics(engine: Engine, store: Store): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'pipewright_process_' })
  const counts = async () => {
    const runs = await store.listRuns({ limit: COUNTED_RUNS })
    const by = new Map<string, number>(RUN_STATUSES.map((s) => [s, 0]))
    for (const run of runs) by.set(run.status, (by.get(run.status) ?? 0) + 1)
    return by
  }
  new Gauge({
    name: 'pipewright_runs', help: 'Runs in the store by status (the newest 10000).', labelNames: ['status'], registers: [registry],
    async collect() {
      for (const [status, n] of await counts()) this.set({ status }, n)
    },
  })
  new Gauge({
    name: 'pipewright_queue_depth', help: 'Runs waiting for a free slot (status queued).', registers: [registry],
    async collect() {
      this.set((await store.listRuns({ status: 'queued', limit: COUNTED_RUNS })).length)
    },
  })
  const stageDuration = new Histogram({ name: 'pipewright_stage_duration_seconds', help: 'Duration of finished stages.', labelNames: ['pipeline', 'status'], buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600], registers: [registry] })
  const lockWait = new Histogram({ name: 'pipewright_environment_lock_wait_seconds', help: 'Time deploy stages waited for an environment lock.', labelNames: ['outcome'], buckets: [0.1, 1, 5, 30, 120, 600, 1800], registers: [registry] })
  const deliveries = new Counter({ name: 'pipewright_webhook_deliveries_total', help: 'Webhook deliveries by forge and outcome.', labelNames: ['forge', 'outcome'], registers: [registry] })
  const pipelines = new Map<string, string>()
  const stop = engine.onAny((name, payload) => {
    const p = payload as { runId?: string; pipeline?: string; status?: string; durationMs?: number; kind?: string; waitedMs?: number; outcome?: string }
    if (name === 'run:started' && p.runId && p.pipeline) pipelines.set(p.runId, p.pipeline)
    else if (name === 'run:finished' && p.runId) pipelines.delete(p.runId)
    else if (name === 'stage:finished' && typeof p.durationMs === 'number') stageDuration.observe({ pipeline: pipelines.get(p.runId ?? '') ?? 'unknown', status: p.status ?? 'unknown' }, p.durationMs / 1000)
    else if (name === 'stage:wait-ended' && p.kind === 'lock' && typeof p.waitedMs === 'number') lockWait.observe({ outcome: p.outcome ?? 'continued' }, p.waitedMs / 1000)
  })
  return {
    registry,
    webhook: (forge, outcome) => deliveries.inc({ forge, outcome }),
    stop,
  }
}
