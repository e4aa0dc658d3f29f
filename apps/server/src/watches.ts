import { hostWatches, watchHolderId, type WatchHost } from '@pipewright/core'
import type { ServerContext } from './context.js'

/** `createServer({ watches })`: how the server hosts the registered pipelines' environment monitors. */
export interface ServerWatchOptions {
  /** This server's id in the watch leases (default `server:<host>:<pid>:<random>`). */
  holder?: string
  /** How long a watch lease lasts without renewal (default 30 s; renewed every third of it). */
  leaseMs?: number
  /** Where the watches say what they see and do (default: the server's request log, when on). */
  log?: (line: string) => void
}

/**
 * Keeps the `monitors:` of every registered pipeline's environments running while the server
 * listens (health records, `environment:unhealthy` / `:recovered` through `notify:`, healing),
 * one lease per environment in the store so that of several servers on one store exactly one
 * watches it. A first pass runs at once; then every third of the lease.
 */
export function startWatches(ctx: ServerContext, options: ServerWatchOptions, fallbackLog: (line: string) => void): WatchHost {
  const host = hostWatches({
    engine: ctx.engine,
    files: () => [...ctx.pipelines.values()].map((p) => p.file),
    holder: options.holder ?? watchHolderId('server'),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    log: options.log ?? fallbackLog,
    now: ctx.now,
  })
  void host.tick()
  return host
}
