import type { Engine } from '@pipewright/core'
import type { Store } from '@pipewright/store-api'
import type { Metrics } from './metrics.js'

/** A pipeline the server may start: from `pipewright serve -f <file>`. */
export interface RegisteredPipeline {
  name: string
  file: string
  dir: string
}

/** What every route module gets. */
export interface ServerContext {
  engine: Engine
  store: Store
  pipelines: Map<string, RegisteredPipeline>
  now: () => number
  metrics: Metrics
  /** Follows runs this server started until they finish (errors are logged, never unhandled). */
  track(handle: { id: string; result: Promise<unknown> }): void
}
