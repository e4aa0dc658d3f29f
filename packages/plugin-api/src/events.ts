/** Status of a whole run. `interrupted`: its process died before it finished (resumable). */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted'

/** Status of one stage instance. `waiting`: held by an approval, a lock, a window or a pending gate. `cached`: satisfied by an earlier success with the same cache key. */
export type StageStatus = 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'cached'

export type GateVerdict = 'pass' | 'fail' | 'pending'

export interface SerializedError {
  code: string
  message: string
  details?: string
  /** The plugin the error came from, when a plugin raised it. */
  plugin?: string
}

/**
 * The typed event map, names `domain:verb`. Every payload carries `runId` and `at` (epoch ms).
 * Plugins add their own events by declaration merging:
 * `declare module '@pipewright/plugin-api' { interface PipewrightEvents { 'docker:built': {...} } }`.
 */
export interface PipewrightEvents {
  /** A run was created and waits for a free slot (`maxRuns`). */
  'run:queued': { runId: string; pipeline: string; position: number; at: number }
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
  /** An attempt ended (before gates and hooks judge the stage). */
  'stage:attempted': {
    runId: string
    stageId: string
    attempt: number
    ok: boolean
    exitCode: number | null
    outputs: Record<string, string>
    durationMs: number
    /** CPU time (user + system, ms) of the attempt's command, where the executor measures it (Linux: yes). */
    cpuMs?: number
    at: number
  }
  /**
   * A stage waits (an approval, a lock, a window, a pending gate); emitted again when the reason
   * changes. `phase` and `hook` say which lifecycle step waits, so a resumed run waits on there.
   */
  'stage:waiting': { runId: string; stageId: string; reason: string; kind: string; since: number; deadline?: number; phase: 'prepare' | 'verify'; hook: string; at: number }
  /** A stage's wait ended: it goes on (`continued`) or fails (`timed-out`, `cancelled`). */
  'stage:wait-ended': { runId: string; stageId: string; kind: string; waitedMs: number; outcome: 'continued' | 'timed-out' | 'cancelled'; at: number }
  /** A stage instance reached a final status (after retries, gates and hooks). */
  'stage:finished': {
    runId: string
    stageId: string
    status: StageStatus
    attempts: number
    exitCode: number | null
    durationMs: number
    outputs: Record<string, string>
    error?: SerializedError
    /** The stage's own account of its result (failing tests, lint counts), when it gave one. */
    summary?: string
    at: number
  }
  /** A gate attached to a stage returned its verdict. */
  'gate:evaluated': { runId: string; stageId: string; gate: string; verdict: GateVerdict; reason: string; evidence: unknown; at: number }
  /** A file was collected into the artifact store. */
  'artifact:stored': { runId: string; stageId: string; path: string; digest: string; size: number; at: number }
  /** A stage was satisfied from the cache. */
  'cache:hit': { runId: string; stageId: string; key: string; fromRunId: string; at: number }
  /** A stage's result was saved under its cache key. */
  'cache:saved': {
    runId: string
    stageId: string
    key: string
    outputs: Record<string, string>
    artifacts: StoredArtifactRef[]
    /** The stage's summary and gate verdicts, replayed when a later run hits this entry. */
    summary?: string
    gates?: Array<{ gate: string; verdict: GateVerdict; reason: string; evidence?: unknown }>
    at: number
  }
  /** A stage waits for people to approve it. */
  'approval:requested': { runId: string; stageId: string; reason: string; at: number }
  /** Someone approved or rejected a stage waiting for approval (seen by the waiting run; `pipewright approve|reject`). */
  'approval:decided': { runId: string; stageId: string; environment: string; decision: 'approved' | 'rejected'; by: string; comment?: string; decidedAt: number; at: number }
  /** A `deploy:` stage starts putting a version into an environment (after its protection rules and the environment lock). */
  'deploy:started': { runId: string; stageId: string; deploymentId: string; environment: string; kind: 'deploy' | 'rollback'; version: string; strategy: string; at: number }
  /**
   * A deployment ended. Carries the whole deployment record (the recorder stores it as is):
   * `outcome` is `succeeded`, `failed` (the previous version still serves) or `rolled-back`
   * (traffic was given back to the previous version: an aborted canary).
   */
  'deploy:finished': DeploymentEventRecord & { runId: string; stageId: string; at: number }
  /** A monitor produced a sample (`environment` when it watches one: post-deploy verification, continuous monitoring). */
  'monitor:sample': { runId: string; stageId: string; monitor: string; healthy: boolean; values: Record<string, number>; reason?: string; environment?: string; source?: 'verify' | 'analysis' | 'watch'; at: number }
  /** An analysis (`analysis:` of a stage, `verify:` of a deploy) reached its verdict. `advisory`: recorded and notified, never acted on. */
  'analysis:finished': { runId: string; stageId: string; environment?: string; source: 'verify' | 'analysis'; verdict: AnalysisVerdict; advisory: boolean; reason: string; evidence: AnalysisEvidence; at: number }
  /** Post-deploy verification (or a canary step's analysis) found a deployment unhealthy: its automatic rollback (or the canary's abort) begins. */
  'rollback:started': { runId: string; stageId: string; environment: string; deploymentId: string; version: string; reason: string; evidence: AnalysisEvidence; at: number }
  /** A deployment was rolled back automatically; `rollbackId` is the rollback's deployment record. */
  'deploy:rolled-back': { runId: string; stageId: string; environment: string; deploymentId: string; rollbackId: string; version: string; servingVersion?: string; reason: string; evidence: AnalysisEvidence; at: number }
  /** Continuous monitoring judged an environment unhealthy (`runId`: the watch's id). */
  'environment:unhealthy': { runId: string; environment: string; reason: string; samples: EvidenceSample[]; at: number }
  /** An environment judged unhealthy is healthy again. */
  'environment:recovered': { runId: string; environment: string; unhealthyForMs: number; at: number }
  /** Continuous monitoring took (or gave up) a healing action on an environment. */
  'environment:healing': { runId: string; environment: string; action: 'restart' | 'rollback'; attempt: number; max: number; outcome: 'started' | 'succeeded' | 'failed' | 'gave-up'; reason: string; at: number }
  /** A deployment's risk was assessed (`risk/assess`): the score, the decision and each factor with its contribution and data. */
  'risk:assessed': {
    runId: string
    stageId: string
    environment?: string
    score: number
    decision: 'pass' | 'approval' | 'block'
    factors: Array<{ name: string; contribution: number; detail: string; data: Record<string, unknown> }>
    at: number
  }
  /** A notifier delivered a notification. */
  'notification:sent': { runId: string; notifier: string; event: string; at: number }
  /** A notifier failed to deliver (the run goes on). */
  'notification:failed': { runId: string; notifier: string; event: string; error: SerializedError; at: number }
}

/** What a deployment record holds (the `deploy:finished` payload, without the event's own fields). */
export interface DeploymentEventRecord {
  deploymentId: string
  pipeline: string
  environment: string
  /** `deploy` puts a version in; `rollback` returns to an earlier one. */
  kind: 'deploy' | 'rollback'
  version: string
  /** What served before, when anything did. */
  previousVersion?: string
  strategy: string
  outcome: 'succeeded' | 'failed' | 'rolled-back'
  /** The commit the run was for, and its branch. */
  commit?: string
  branch?: string
  /** When that commit was made (committer date, epoch ms): lead time for changes runs from here to `finishedAt`. */
  commitAt?: number
  /** `sha256:` of the deployed directory's files (path and content), for `from:` deployments. */
  artifactDigest?: string
  /** The image reference deployed (a digest when one was given), for `image:` deployments. */
  imageDigest?: string
  /** Where the deployed files came from, so `pipewright deploy <env> --version` can deploy them again. */
  source?:
    | { kind: 'artifacts'; runId: string; stageId: string; path: string; files: StoredArtifactRef[] }
    | { kind: 'directory'; path: string }
    | { kind: 'image'; image: string }
  triggeredBy?: string
  /** Everyone who approved it (distinct), in the order they did. */
  approvedBy: string[]
  startedAt: number
  finishedAt: number
  url?: string
  error?: SerializedError
  /** For a rollback: the deployment it replaced (marked `rolled-back`). */
  replaces?: string
  /** Why it was rolled back automatically, with the evidence (post-deploy verification, or the analysis that aborted a canary). */
  verification?: { reason: string; evidence: AnalysisEvidence }
}

/** How an analysis ended: `successful`, `failed` (too many failed measurements) or `inconclusive`. */
export type AnalysisVerdict = 'successful' | 'failed' | 'inconclusive'

/** One monitor sample as evidence keeps it. */
export interface EvidenceSample {
  monitor: string
  at: number
  healthy: boolean
  values: Record<string, number>
  reason?: string
  /** How the analysis judged it. */
  measurement?: 'successful' | 'failed' | 'inconclusive' | 'error'
}

/** What an analysis verdict rests on: the condition that decided and the latest samples. */
export interface AnalysisEvidence {
  /** The condition that failed (`failure-condition: result.status >= 500`), or the monitor's own verdict. */
  condition?: string
  measurements: { successful: number; failed: number; inconclusive: number; error: number }
  /** The most recent samples (at most 20), oldest first. */
  samples: EvidenceSample[]
  /** For an analysis between canary steps: the step it judged (the new version's share of traffic, in percent). */
  step?: number
}

/** An artifact as events and records refer to it. */
export interface StoredArtifactRef {
  path: string
  digest: string
  size: number
}

export type EventName = keyof PipewrightEvents

/**
 * What a plugin passes to `ctx.emit`: the payload without `at` and `runId`, which the engine
 * fills in (its clock, the current run). Passing them is allowed; the engine's values win.
 */
export type EventInput<K extends EventName> = Omit<PipewrightEvents[K], 'at' | 'runId'> & { at?: number; runId?: string }
export type EventPayload<K extends EventName> = PipewrightEvents[K]

/** A stored or streamed event: its name and payload. */
export type PipewrightEvent = { [K in EventName]: { type: K; payload: PipewrightEvents[K] } }[EventName]

/** Subscribe to engine events. */
export interface EventSource {
  on<K extends EventName>(name: K, listener: (payload: PipewrightEvents[K]) => void): this
  off<K extends EventName>(name: K, listener: (payload: PipewrightEvents[K]) => void): this
  once<K extends EventName>(name: K, listener: (payload: PipewrightEvents[K]) => void): this
}
