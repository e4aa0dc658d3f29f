import { PipewrightError } from '@pipewright/plugin-api'
import { Redis } from 'ioredis'

/** The Redis URL: the option, else PIPEWRIGHT_REDIS, else the local default. */
export function resolveRedisUrl(option: string | undefined, env: Record<string, string | undefined> = process.env): string {
  return [option, env.PIPEWRIGHT_REDIS].find((v) => v !== undefined && v.trim() !== '')?.trim() ?? 'redis://127.0.0.1:6379'
}

/** A Redis URL with its password masked. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@')
  }
}

/** Connection settings both ioredis and BullMQ accept. */
export interface RedisTarget {
  host: string
  port: number
  username?: string
  password?: string
  db?: number
  maxRetriesPerRequest: null
}

/** Connection settings from `redis://[user:password@]host[:port][/db]`; refuses anything else. */
export function redisOptions(url: string): RedisTarget {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw badRedisUrl(url, 'is not a valid URL')
  }
  if (parsed.protocol !== 'redis:') throw badRedisUrl(url, `has scheme ${parsed.protocol.replace(/:$/, '')}, not redis`)
  const db = parsed.pathname.replace(/^\//, '')
  if (db !== '' && !/^\d+$/.test(db)) throw badRedisUrl(url, `has database "${db}", not a number`)
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    // BullMQ's blocking connections must retry forever; it requires this.
    maxRetriesPerRequest: null,
  }
}

function badRedisUrl(url: string, why: string): PipewrightError {
  return new PipewrightError('PW_ERR_QUEUE_UNREACHABLE', `The Redis URL ${redactRedisUrl(url)} ${why}`, { details: 'Use --redis redis://HOST:PORT (or PIPEWRIGHT_REDIS), e.g. redis://127.0.0.1:6379.' })
}

/**
 * A connected Redis client, or a clear error when Redis cannot be reached within a few seconds
 * (instead of ioredis retrying forever in the background).
 */
export async function connectRedis(url: string, timeoutMs = 5_000): Promise<Redis> {
  const redis = new Redis({ ...redisOptions(url), lazyConnect: true, retryStrategy: (times) => Math.min(times * 100, 1_000) })
  redis.on('error', () => {})
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ])
    await redis.ping()
    return redis
  } catch (cause) {
    redis.disconnect()
    throw new PipewrightError('PW_ERR_QUEUE_UNREACHABLE', `Cannot reach Redis at ${redactRedisUrl(url)}: ${(cause as Error).message}`, {
      details: 'Start Redis (here: bash tools/services/redis.sh) or fix --redis / PIPEWRIGHT_REDIS.', cause,
    })
  }
}
