import type { RunResult } from '@pipewright/core'
import type { EventSource } from '@pipewright/plugin-api'

/** Presents one run as it happens. */
export interface RunRenderer {
  /** Subscribes to the engine's events; called before the run starts. */
  attach(events: EventSource): void
  /** A message from the CLI itself (e.g. "cancelling…"), shown without breaking the view. */
  note(line: string): void
  /** The run ended (or failed to start): stop rendering and flush. */
  stop(result?: RunResult): void
}
