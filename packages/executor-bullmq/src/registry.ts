import type { Redis } from 'ioredis'
import { workerKey, workerPattern } from './protocol.js'

/** What a live worker says about itself. */
export interface WorkerInfo {
  id: string
  queue: string
  labels: string[]
  host: string
  pid: number
  concurrency: number
  startedAt: number
}

/** How long a worker's announcement lives without a refresh; a dead worker disappears after this. */
export const PRESENCE_TTL_MS = 6_000

/** Announces a worker until `stop()`: a key that expires unless refreshed every third of its life. */
export function announce(redis: Redis, info: WorkerInfo): { stop(): Promise<void> } {
  const key = workerKey(info.queue, info.id)
  const write = () => redis.set(key, JSON.stringify(info), 'PX', PRESENCE_TTL_MS).catch(() => {})
  void write()
  const timer = setInterval(write, PRESENCE_TTL_MS / 3)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await redis.del(key).catch(() => {})
    },
  }
}

/** The workers of a queue that are alive now. */
export async function liveWorkers(redis: Redis, queue: string): Promise<WorkerInfo[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', workerPattern(queue), 'COUNT', 200)
    cursor = next
    keys.push(...found)
  } while (cursor !== '0')
  if (keys.length === 0) return []
  const values = await redis.mget(keys)
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerInfo)
}

/** Why no live worker can take a job that needs `labels`, or undefined when one can. */
export async function whyNoWorker(redis: Redis, queue: string, labels: readonly string[]): Promise<string | undefined> {
  const workers = await liveWorkers(redis, queue)
  if (workers.some((w) => labels.every((label) => w.labels.includes(label)))) return undefined
  const start = `pipewright worker --queue ${queue}${labels.length ? ` --labels ${labels.join(',')}` : ''}`
  if (workers.length === 0) return `no worker is connected to queue ${queue}: start one with \`${start}\``
  const seen = [...new Set(workers.map((w) => (w.labels.length ? w.labels.join(',') : '(no labels)')))].join('; ')
  return `no worker on queue ${queue} has the labels ${labels.join(', ')} (connected workers have: ${seen}): start one with \`${start}\``
}
