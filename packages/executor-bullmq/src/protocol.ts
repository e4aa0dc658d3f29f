import type { AttemptOutcome, StoredArtifact } from '@pipewright/plugin-api'
import type { StageJob } from '@pipewright/core'

/** What a BullMQ job carries: the kernel's job (a `run:` stage) and where to send its output. */
export interface WorkerJobData {
  job: StageJob
  /** Redis pub/sub channel of the coordinator waiting for this job. */
  reply: string
  /** The coordinator's clock when the job was queued (epoch ms), for scheduling latency. */
  queuedAt: number
}

/** Messages a worker publishes on the job's reply channel, in order. */
export type WorkerMessage =
  /** `idleSince`: when the worker slot that took the job became free (epoch ms). */
  | { job: string; t: 'started'; worker: string; attempt: number; at: number; idleSince: number }
  | { job: string; t: 'log'; stream: 'stdout' | 'stderr' | 'system'; line: string }
  | { job: string; t: 'output'; key: string; value: string }
  | { job: string; t: 'done'; outcome: AttemptOutcome; artifacts: StoredArtifact[] }

/** What the BullMQ job returns (also sent as the `done` message). */
export interface WorkerResult {
  outcome: AttemptOutcome
  artifacts: StoredArtifact[]
}

/** Queues BullMQ names may not contain `:` (its key separator). */
const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,64}$/

export function validQueueName(name: string): boolean {
  return QUEUE_NAME.test(name)
}

/**
 * The BullMQ queue of jobs that need `labels`: `<queue>` without labels, `<queue>.on.<a>+<b>` with
 * (sorted). A worker listens on the queue of every subset of its labels, so a job reaches exactly
 * the workers that have all the labels it needs.
 */
export function queueFor(queue: string, labels: readonly string[] = []): string {
  return labels.length === 0 ? queue : `${queue}.on.${[...new Set(labels)].sort().join('+')}`
}

/** Every subset of `labels` (a worker with n labels listens on 2^n queues; n is at most 6). */
export function labelSubsets(labels: readonly string[]): string[][] {
  const sorted = [...new Set(labels)].sort()
  const subsets: string[][] = []
  for (let mask = 0; mask < 1 << sorted.length; mask++) subsets.push(sorted.filter((_, i) => mask & (1 << i)))
  return subsets
}

/** Redis key under which a live worker announces itself (expires unless refreshed). */
export const workerKey = (queue: string, id: string) => `pipewright:workers:${queue}:${id}`
export const workerPattern = (queue: string) => `pipewright:workers:${queue}:*`
/** Channel a coordinator publishes cancellations on; workers of the queue listen. */
export const cancelChannel = (queue: string) => `pipewright:cancel:${queue}`
