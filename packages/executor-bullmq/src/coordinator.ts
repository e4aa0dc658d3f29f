import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue, QueueEvents } from 'bullmq'
import type { Redis } from 'ioredis'
import { ArtifactStore, createLocalExecutor, type StageExecutor, type StageIO, type StageJob } from '@pipewright/core'
import type { AttemptOutcome } from '@pipewright/plugin-api'
import type { BlobStore } from '@pipewright/store-api'
import { connectRedis, redisOptions } from './connection.js'
import { cancelChannel, queueFor, type WorkerJobData, type WorkerMessage, type WorkerResult } from './protocol.js'
import { whyNoWorker } from './registry.js'

export interface BullmqExecutorOptions {
  redisUrl: string
  /** Queue name (default `default`); workers started with the same `--queue` take its jobs. */
  queue?: string
  /** The shared store's blobs: the artifacts a worker collected are written back into the workspace from there. */
  blobs?: BlobStore
  /** Runs `uses:` stages (plugin calls happen in the coordinator's process); default the local executor. */
  local?: StageExecutor
  /**
   * Called when a worker starts a job. `latencyMs`: from when the job was ready *and* the worker
   * slot that took it was free, to the start — the scheduling overhead, without time spent waiting
   * for busy workers; `queuedMs`: from queued to started, including that wait.
   */
  onScheduled?(latencyMs: number, job: StageJob, queuedMs: number): void
}

export interface BullmqExecutor extends StageExecutor {
  readonly queue: string
  /** Why no connected worker can take a job needing `labels`, or undefined when one can. */
  whyNoWorker(labels: readonly string[]): Promise<string | undefined>
}

interface Pending {
  job: StageJob
  io: StageIO
  queuedAt: number
  started: number
  resolve(outcome: AttemptOutcome): void
  /** Messages are applied one at a time, in the order they were published. */
  chain: Promise<void>
}

/**
 * An executor that sends each `run:` stage attempt to workers as a BullMQ job (on the queue of its
 * `runs-on` labels) and waits for it, passing the worker's output lines and outputs to the kernel
 * as they arrive — in order, through one Redis pub/sub channel per coordinator — so the recorder,
 * `logs -f` and the dashboard see them live, redacted by the kernel like local output.
 */
export async function createBullmqExecutor(options: BullmqExecutorOptions): Promise<BullmqExecutor> {
  const queueName = options.queue ?? 'default'
  const redis: Redis = await connectRedis(options.redisUrl)
  const subscriber = redis.duplicate()
  const reply = `pipewright:reply:${randomUUID()}`
  const pending = new Map<string, Pending>()
  const queues = new Map<string, { queue: Queue<WorkerJobData, WorkerResult>; events: QueueEvents }>()
  const connection = redisOptions(options.redisUrl)
  const local = options.local ?? createLocalExecutor()
  const writeBack = new ArtifactStore(join(tmpdir(), 'pipewright-coordinator-artifacts'), options.blobs)

  await subscriber.subscribe(reply)
  subscriber.on('message', (_channel: string, text: string) => {
    const message = JSON.parse(text) as WorkerMessage
    const entry = pending.get(message.job)
    if (entry) entry.chain = entry.chain.then(() => apply(message.job, entry, message)).catch(() => {})
  })

  async function apply(jobId: string, entry: Pending, message: WorkerMessage): Promise<void> {
    if (message.t === 'started') {
      entry.started++
      if (entry.started === 1) options.onScheduled?.(message.at - Math.max(entry.queuedAt, message.idleSince), entry.job, message.at - entry.queuedAt)
      entry.io.log('system', entry.started === 1 ? `running on worker ${message.worker}` : `started again on worker ${message.worker}: the worker running it was lost`)
    } else if (message.t === 'log') entry.io.log(message.stream, message.line)
    else if (message.t === 'output') entry.io.output(message.key, message.value)
    else {
      // The worker's workspace is elsewhere: its collected artifacts come back here for the artifacts hook.
      if (message.outcome.ok && message.artifacts.length > 0) await writeBack.materialize(message.artifacts, entry.job.workspace)
      finish(jobId, message.outcome)
    }
  }

  function finish(jobId: string, outcome: AttemptOutcome): void {
    const entry = pending.get(jobId)
    if (!entry) return
    pending.delete(jobId)
    entry.resolve(outcome)
  }

  async function queueOf(name: string) {
    let found = queues.get(name)
    if (!found) {
      const events = new QueueEvents(name, { connection })
      events.on('error', () => {})
      // A job that failed in BullMQ (stalled too often, a worker error) never sends `done`.
      events.on('failed', ({ jobId, failedReason }) => {
        const lost = /stalled/i.test(failedReason)
        finish(jobId, { ok: false, kind: 'failure', exitCode: null, error: lost
          ? { code: 'PW_ERR_WORKER_LOST', message: `The workers running the stage were lost too often (${failedReason})` }
          : { code: 'PW_ERR_STAGE_FAILED', message: `The worker failed the job: ${failedReason}` } })
      })
      found = { queue: new Queue(name, { connection }), events }
      queues.set(name, found)
      await events.waitUntilReady()
    }
    return found
  }

  return {
    queue: queueName,
    whyNoWorker: (labels) => whyNoWorker(redis, queueName, labels),
    async execute(job, io) {
      if (job.action.kind !== 'run') return local.execute(job, io)
      const { queue } = await queueOf(queueFor(queueName, job.runsOn))
      const jobId = randomUUID()
      const queuedAt = Date.now()
      const done = new Promise<AttemptOutcome>((resolve) => pending.set(jobId, { job, io, queuedAt, started: 0, resolve, chain: Promise.resolve() }))
      const cancel = () => {
        void redis.publish(cancelChannel(queueName), jobId)
        // Still queued: take it out, nobody will run it.
        void queue.remove(jobId).then((removed) => removed && finish(jobId, { ok: false, kind: 'cancelled', exitCode: null, error: { code: 'PW_ERR_CANCELLED', message: `Stage ${job.stageId} was cancelled` } })).catch(() => {})
      }
      if (io.signal.aborted) cancel()
      else io.signal.addEventListener('abort', cancel, { once: true })
      await queue.add(job.stageId, { job, reply, queuedAt }, { jobId, attempts: 1, removeOnComplete: true, removeOnFail: 100 })
      try {
        return await done
      } finally {
        io.signal.removeEventListener('abort', cancel)
      }
    },
    async close() {
      await subscriber.unsubscribe().catch(() => {})
      for (const { queue, events } of queues.values()) {
        await events.close().catch(() => {})
        await queue.close().catch(() => {})
      }
      await local.close?.()
      subscriber.disconnect()
      redis.disconnect()
    },
  }
}
