import { randomBytes } from 'node:crypto'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import { ArtifactStore, createLocalExecutor, type StageJob } from '@pipewright/core'
import type { AttemptOutcome, StoredArtifact } from '@pipewright/plugin-api'
import type { BlobStore } from '@pipewright/store-api'
import { connectRedis, redisOptions } from './connection.js'
import { cancelChannel, labelSubsets, queueFor, type WorkerJobData, type WorkerMessage, type WorkerResult } from './protocol.js'
import { announce } from './registry.js'
import { Workspaces } from './workspace.js'

export interface StageWorkerOptions {
  redisUrl: string
  /** Queue name (default `default`). */
  queue?: string
  /** Labels this worker has: it takes jobs whose `runs-on` it covers. */
  labels?: string[]
  /** Stages run at once (default 1). */
  concurrency?: number
  /** The shared store's blobs: needs' artifacts come from there, the stage's artifacts go there. */
  blobs?: BlobStore
  /** Where checkouts and scratch files go (default a temp directory). */
  dir?: string
  /** How long a job's lock lives without renewal: a worker silent this long is lost (default 5 s). */
  lockDurationMs?: number
  /** How often live workers look for jobs of lost workers (default 2 s). */
  stalledIntervalMs?: number
  /** One line per job taken and finished (the `pipewright worker` output). */
  report?(line: string): void
}

export interface StageWorker {
  readonly id: string
  /** The BullMQ queues it listens on (one per subset of its labels). */
  readonly queues: string[]
  /** Stops taking jobs, waits for the running ones, disconnects. */
  close(): Promise<void>
}

/** A failure outcome for an error thrown around (not by) the stage's command. */
function failed(error: unknown): AttemptOutcome {
  const e = error as { code?: unknown; message?: unknown; details?: unknown }
  return { ok: false, kind: 'failure', exitCode: null, error: { code: typeof e.code === 'string' && e.code.startsWith('PW_ERR_') ? e.code : 'PW_ERR_STAGE_FAILED', message: String(e.message ?? error), ...(typeof e.details === 'string' ? { details: e.details } : {}) } }
}

/**
 * Starts a worker: takes `run:` stage jobs from the queue(s) its labels cover, runs each in a
 * checkout of the run's commit with the local executor, and publishes its output lines, outputs
 * and outcome, in order, to the coordinator that queued it. BullMQ's stalled-job check moves the
 * job of a lost worker (killed, crashed) back to the queue for another worker; a job that is
 * `idempotent: false` is then not run again but ends as PW_ERR_WORKER_LOST.
 */
export async function startStageWorker(options: StageWorkerOptions): Promise<StageWorker> {
  const queue = options.queue ?? 'default'
  const labels = [...new Set(options.labels ?? [])].sort()
  const concurrency = Math.max(1, options.concurrency ?? 1)
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`
  const dir = options.dir ?? join(tmpdir(), `pipewright-worker-${id}`)
  const publisher = await connectRedis(options.redisUrl)
  const subscriber = publisher.duplicate()
  const workspaces = new Workspaces(dir, options.blobs)
  const artifacts = new ArtifactStore(join(dir, '.artifacts'), options.blobs)
  const executor = createLocalExecutor()
  const running = new Map<string, AbortController>()
  const slots = semaphore(concurrency)

  await subscriber.subscribe(cancelChannel(queue))
  subscriber.on('message', (_channel: string, jobId: string) => running.get(jobId)?.abort())

  const handle = async (bull: Job<WorkerJobData>): Promise<WorkerResult> => {
    const { job, reply } = bull.data
    const jobId = bull.id!
    const send = (message: WorkerMessage) => publisher.publish(reply, JSON.stringify(message))
    let result: WorkerResult
    if (job.idempotent === false && (bull.attemptsStarted > 1 || bull.stalledCounter > 0)) {
      result = {
        artifacts: [],
        outcome: { ok: false, kind: 'failure', exitCode: null, error: {
          code: 'PW_ERR_WORKER_LOST',
          message: `Stage ${job.stageId} was running on a worker that was lost; it is idempotent: false, so it was not started again`,
          details: 'Check what the lost attempt did, then `pipewright run --resume <id>` (add --rerun-non-idempotent to run it again).',
        } },
      }
      await send({ job: jobId, t: 'done', ...result })
      return result
    }
    const held = await slots()
    const controller = new AbortController()
    running.set(jobId, controller)
    try {
      void send({ job: jobId, t: 'started', worker: id, attempt: bull.attemptsStarted, at: Date.now(), idleSince: held.idleSince })
      options.report?.(`${job.runId} ${job.stageId}: started`)
      result = await runJob(job, controller.signal, jobId, send)
    } catch (error) {
      result = { outcome: failed(error), artifacts: [] }
    } finally {
      running.delete(jobId)
      held.release()
    }
    options.report?.(`${job.runId} ${job.stageId}: ${result.outcome.ok ? 'succeeded' : `failed (${result.outcome.error?.message ?? 'exit ' + result.outcome.exitCode})`}`)
    await send({ job: jobId, t: 'done', ...result })
    return result
  }

  async function runJob(job: StageJob, signal: AbortSignal, jobId: string, send: (m: WorkerMessage) => Promise<number>): Promise<WorkerResult> {
    if (job.action.kind !== 'run') throw new Error(`Stage ${job.stageId}: workers run \`run:\` stages only`)
    const prepared = await workspaces.prepare(job)
    const local: StageJob = { ...job, workspace: prepared.workspace, env: prepared.env, action: { ...job.action, outputFile: prepared.outputFile } }
    const outcome = await executor.execute(local, {
      signal,
      log: (stream, line) => void send({ job: jobId, t: 'log', stream, line }),
      output: (key, value) => void send({ job: jobId, t: 'output', key, value }),
    })
    let stored: StoredArtifact[] = []
    if (outcome.ok && job.artifacts?.length) stored = await artifacts.collect(prepared.workspace, job.artifacts)
    return { outcome, artifacts: stored }
  }

  const connection = redisOptions(options.redisUrl)
  const queues = labelSubsets(labels).map((subset) => queueFor(queue, subset))
  const workers = queues.map((name) => new Worker<WorkerJobData, WorkerResult>(name, handle, {
    connection, concurrency, lockDuration: options.lockDurationMs ?? 5_000, stalledInterval: options.stalledIntervalMs ?? 2_000, maxStalledCount: 2,
    removeOnComplete: { count: 0 }, removeOnFail: { count: 100 },
  }))
  for (const worker of workers) worker.on('error', () => {})
  await Promise.all(workers.map((w) => w.waitUntilReady()))
  const presence = announce(publisher, { id, queue, labels, host: hostname(), pid: process.pid, concurrency, startedAt: Date.now() })

  return {
    id,
    queues,
    async close() {
      await presence.stop()
      await Promise.all(workers.map((w) => w.close()))
      await executor.close?.()
      subscriber.disconnect()
      publisher.disconnect()
    },
  }
}

/** A held slot: its release, and since when the slot had been idle before this job took it (epoch ms). */
interface Slot {
  release(): void
  idleSince: number
}

/** At most `size` holders at once; `acquire()` resolves to a slot. */
function semaphore(size: number): () => Promise<Slot> {
  const idle: number[] = Array.from({ length: size }, () => Date.now())
  const waiting: Array<(slot: Slot) => void> = []
  const slot = (idleSince: number): Slot => ({
    idleSince,
    release: () => {
      const next = waiting.shift()
      if (next) next(slot(Date.now()))
      else idle.push(Date.now())
    },
  })
  return () => new Promise((resolve) => {
    const since = idle.shift()
    if (since !== undefined) resolve(slot(since))
    else waiting.push(resolve)
  })
}

export type { Redis }
