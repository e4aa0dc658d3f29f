/** Status of a whole run. `interrupted`: its process died before it finished (resumable). */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted'

/** Status of one stage instance. `cached`: skipped because an earlier success matched its cache key. */
export type StageStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'cached'

export type GateVerdict = 'pass' | 'fail' | 'pending'

export interface SerializedError {
  code: string
  message: string
  details?: string
}

/**
 * The typed event map, names `domain:verb`. Every payload carries `runId` and `at` (epoch ms).
 * Plugins add their own events by declaration merging:
 * `declare module '@pipewright/plugin-api' { interface PipewrightEvents { 'docker:built': {...} } }`.
 */
export interface PipewrightEvents {
  /** A run begins (or resumes) executing its plan. */
  'run:started': { runId: string; pipeline: string; file?: string; stages: string[]; resumed: boolean; at: number }
  /** A run reached a final status. */
  'run:finished': { runId: string; pipeline: string; status: RunStatus; durationMs: number; at: number }
  /** A stage instance starts an attempt. */
  'stage:started': { runId: string; stageId: string; attempt: number; at: number }
  /** One line of stage output, already redacted. */
  'stage:log': { runId: string; stageId: string; stream: 'stdout' | 'stderr' | 'system'; line: string; at: number }
  /** An attempt failed and another will follow after `delayMs`. */
  'stage:retrying': { runId: string; stageId: string; attempt: number; delayMs: number; reason: string; at: number }
  /** A stage instance reached a final status (after retries and gates). */
  'stage:finished': {
    runId: string
    stageId: string
    status: StageStatus
    attempts: number
    exitCode: number | null
    durationMs: number
    outputs: Record<string, string>
    error?: SerializedError
    at: number
  }
  /** A gate attached to a stage returned its verdict. */
  'gate:evaluated': { runId: string; stageId: string; gate: string; verdict: GateVerdict; reason: string; evidence: unknown; at: number }
  /** A file was collected into the artifact store. */
  'artifact:stored': { runId: string; stageId: string; path: string; digest: string; size: number; at: number }
  /** A stage was satisfied from the cache. */
  'cache:hit': { runId: string; stageId: string; key: string; fromRunId: string; at: number }
  /** A gate is waiting for people (approval). */
  'approval:requested': { runId: string; stageId: string; gate: string; environment?: string; at: number }
  /** A deployment to an environment begins. */
  'deploy:started': { runId: string; stageId: string; environment: string; version?: string; at: number }
  /** A monitor produced a sample. */
  'monitor:sample': { runId: string; stageId: string; monitor: string; healthy: boolean; values: Record<string, number>; at: number }
  /** An automatic rollback begins. */
  'rollback:started': { runId: string; stageId: string; environment: string; reason: string; at: number }
}

export type EventName = keyof PipewrightEvents
export type EventPayload<K extends EventName> = PipewrightEvents[K]

/** A stored or streamed event: its name and payload. */
export type PipewrightEvent = { [K in EventName]: { type: K; payload: PipewrightEvents[K] } }[EventName]

/** Subscribe to engine events. */
export interface EventSource {
  on<K extends EventName>(name: K, listener: (payload: PipewrightEvents[K]) => void): this
  off<K extends EventName>(name: K, listener: (payload: PipewrightEvents[K]) => void): this
  once<K extends EventName>(name: K, listener: (payload: PipewrightEvents[K]) => void): this
}
