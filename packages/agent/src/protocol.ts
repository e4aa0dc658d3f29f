import { durationSchema, z } from '@pipewright/plugin-api'

/** Bumped when the agent's HTTP API changes incompatibly; a client refuses another agent's. */
export const PROTOCOL_VERSION = 1

export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,62}$/

/** The HTTP check that decides whether an instance may receive traffic. */
export const HealthCheckSpec = z.object({
  path: z.string().startsWith('/').default('/healthz'),
  /** Statuses that count as healthy; default any 2xx or 3xx. */
  expectStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  /** One probe's timeout. */
  timeoutMs: durationSchema.default(2_000),
  /** Pause between probes while waiting for a new instance. */
  intervalMs: durationSchema.default(250),
  /** How long a new (or restarted) instance has to become healthy. */
  startupTimeoutMs: durationSchema.default(60_000),
})
export type HealthCheckSpec = z.output<typeof HealthCheckSpec>

/** How a crashed instance is restarted. */
export const SupervisionSpec = z.object({
  /** More crashes than this within `windowMs` and the instance is given up on (never a restart loop). */
  maxRestarts: z.number().int().min(0).default(5),
  windowMs: durationSchema.default(600_000),
  /** Back-off before the first restart, doubled for each further one up to `backoffMaxMs`. */
  backoffMs: durationSchema.default(500),
  backoffMaxMs: durationSchema.default(30_000),
  /** How often each instance's liveness is asked of its target. */
  checkIntervalMs: durationSchema.default(1_000),
})
export type SupervisionSpec = z.output<typeof SupervisionSpec>

export const TargetRef = z.object({
  /** `<plugin-id>/<name>`, e.g. `deploy/process`, `docker/container`. */
  uses: z.string().regex(/^[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*$/, { message: 'Must be <plugin-id>/<name>, e.g. deploy/process' }),
  with: z.record(z.string(), z.unknown()).default({}),
})
export type TargetRef = z.output<typeof TargetRef>

/** An environment as the agent serves it: where its router listens, what runs it, how it is checked. */
export const EnvironmentSpec = z.object({
  name: z.string().regex(ENVIRONMENT_NAME, { message: 'Must match /^[a-z][a-z0-9-]*$/' }),
  /** The environment's address: the agent's reverse proxy listens here. Only http://127.0.0.1:<port>. */
  url: z.string().regex(/^http:\/\/127\.0\.0\.1:\d{2,5}\/?$/, { message: 'Must be http://127.0.0.1:<port>' }),
  target: TargetRef,
  instances: z.number().int().min(1).max(64).default(1),
  health: HealthCheckSpec.prefault({}),
  supervise: SupervisionSpec.prefault({}),
  /** Variables every instance gets (besides PORT and PIPEWRIGHT_ENVIRONMENT/VERSION/INSTANCE). */
  env: z.record(z.string(), z.string()).default({}),
  /** How long requests in flight may take to finish on instances leaving service. */
  drainTimeoutMs: durationSchema.default(30_000),
  /** How long an instance may take to exit politely before it is killed. */
  stopGraceMs: durationSchema.default(10_000),
})
export type EnvironmentSpec = z.output<typeof EnvironmentSpec>
export type EnvironmentInput = z.input<typeof EnvironmentSpec>

const CanaryStep = z.number().min(0).max(100)

/** A strategy, normalized: what the agent executes. */
export const StrategySpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('recreate') }),
  z.object({ kind: z.literal('rolling') }),
  z.object({
    kind: z.literal('blue-green'),
    /** Keep the old instances running (without traffic) this long, so a rollback is only a switch back. */
    keepPreviousMs: durationSchema.default(0),
  }),
  z.object({
    kind: z.literal('canary'),
    /** Percentages of traffic for the new version, in order; 100 (promotion) is added when missing. */
    steps: z.array(CanaryStep).min(1).refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]!), { message: 'Steps must increase' }),
    /** Pause after each step before the next, while the new instances are checked. */
    pauseMs: durationSchema.default(30_000),
    /**
     * Each step below 100 also waits for the client's verdict on it (the engine's analysis):
     * `POST /v1/environments/<name>/proceed` goes on, `…/abort` gives all traffic back. The pause
     * is then the least a step lasts. A client that goes away while a verdict is due aborts.
     */
    awaitVerdicts: z.boolean().default(false),
  }),
])
export type StrategySpec = z.output<typeof StrategySpec>
export type StrategyKind = StrategySpec['kind']

/**
 * A strategy as a pipeline writes it — `blue-green`, `{ canary: { steps: [10, 50], pause: 30s } }`
 * — or already normalized (`{ kind: 'canary', steps, pauseMs }`).
 */
export const strategySchema = z.preprocess((value) => {
  if (typeof value === 'string') return { kind: value }
  if (value && typeof value === 'object' && !('kind' in value)) {
    const entries = Object.entries(value as Record<string, unknown>)
    if (entries.length === 1) {
      const [kind, options] = entries[0]!
      const o = (options ?? {}) as Record<string, unknown>
      const { pause, 'keep-previous': keepPrevious, ...rest } = o
      return { kind, ...rest, ...(pause !== undefined ? { pauseMs: pause } : {}), ...(keepPrevious !== undefined ? { keepPreviousMs: keepPrevious } : {}) }
    }
  }
  return value
}, StrategySpec)

/** What a running agent can do beyond its protocol version: a client checks before relying on it. */
export const AGENT_FEATURES = ['canary-verdicts'] as const
export type AgentFeature = (typeof AGENT_FEATURES)[number]

/** A verdict on a canary step awaiting one (`awaitVerdicts`): go on to the next step. */
export const ProceedRequest = z.object({ operation: z.string().min(1), step: z.number().min(0).max(100) })
export type ProceedRequest = z.output<typeof ProceedRequest>

/** A version's artifacts: an absolute directory, or an image reference. */
export const SourceSpec = z
  .object({ directory: z.string().startsWith('/', { message: 'Must be an absolute path' }).optional(), image: z.string().min(1).optional() })
  .refine((s) => (s.directory === undefined) !== (s.image === undefined), { message: 'Give exactly one of directory and image' })

export const DeployRequest = z.object({
  environment: EnvironmentSpec,
  version: z.string().min(1).max(200),
  source: SourceSpec,
  strategy: strategySchema.default({ kind: 'rolling' }),
  /** Copied to the result as is (run id, stage id, commit, who triggered it): for the engine's records. */
  meta: z.record(z.string(), z.string()).default({}),
})
export type DeployRequest = z.output<typeof DeployRequest>
export type DeployInput = z.input<typeof DeployRequest>

export const RollbackRequest = z.object({
  /** Default: the version that served before the current one. */
  toVersion: z.string().min(1).optional(),
  meta: z.record(z.string(), z.string()).default({}),
})
export type RollbackRequest = z.output<typeof RollbackRequest>
export type RollbackInput = z.input<typeof RollbackRequest>

/** Why a health check did not pass: the last answer, or why there was none. */
export interface HealthFailure {
  instance: string
  url: string
  attempts: number
  elapsedMs: number
  /** Last HTTP status, when the instance answered. */
  status?: number
  /** The first 200 characters of the last body. */
  body?: string
  /** Connection error (`ECONNREFUSED`), timeout, or the target's liveness reason (`exited with code 1`). */
  error?: string
}

export interface InstanceInfo {
  id: string
  version: string
  /** `stable` serves; `canary` takes the canary share; `previous` is kept idle for a quick rollback. */
  role: 'stable' | 'canary' | 'previous'
  address: string
  pid?: number
  containerId?: string
  /** `running`; `restarting` after a crash; `failed` when restarts were given up; `starting`/`stopping` in between. */
  state: 'starting' | 'running' | 'restarting' | 'failed' | 'stopping'
  restarts: number
  /** Why it crashed or was given up on, when it did. */
  lastExit?: string
  startedAt: number
}

/** One line of progress, for the engine to turn into a stage log line. */
export interface DeployEvent {
  at: number
  environment: string
  operation: string
  level: 'info' | 'warn' | 'error'
  message: string
  /** What happened, for programs: `instance-started`, `instance-healthy`, `traffic`, `draining`, `instance-stopped` … */
  kind: string
  data?: Record<string, unknown>
}

export type Outcome = 'succeeded' | 'failed' | 'aborted'

/** What an operation (deploy or rollback) did: enough for the engine's deployment record. */
export interface DeploymentResult {
  operation: string
  kind: 'deploy' | 'rollback'
  environment: string
  version: string
  /** What served before. */
  previousVersion?: string
  strategy: StrategyKind | 'switch-back'
  target: string
  startedAt: number
  finishedAt: number
  outcome: Outcome
  /** What serves now: the new version on success, the previous one otherwise. */
  servingVersion?: string
  instances: InstanceInfo[]
  error?: { code: string; message: string; details?: string; health?: HealthFailure }
  meta: Record<string, string>
}

export interface OperationInfo {
  operation: string
  /** `restore`: a restarted agent is bringing the environment back. */
  kind: 'deploy' | 'rollback' | 'restore'
  version: string
  strategy: string
  phase: string
  startedAt: number
}

export interface EnvironmentStatus {
  name: string
  url: string
  proxyPort: number
  target: string
  /**
   * `serving`: every instance runs; `degraded`: some do; `down`: none; `empty`: nothing deployed
   * yet; `stopped`: stopped by `agent stop --all` (no router) until deployed again.
   */
  state: 'serving' | 'degraded' | 'down' | 'empty' | 'stopped'
  version?: string
  previousVersion?: string
  deployedAt?: number
  /** Share of requests each set receives, in percent. */
  traffic: { stable: number; canary: number }
  instances: Array<InstanceInfo & { healthy?: boolean; health?: string; inFlight: number }>
  operation?: OperationInfo
  lastResult?: DeploymentResult
}

export interface AgentInfo {
  protocol: number
  pid: number
  version: string
  home: string
  socket: string
  startedAt: number
  targets: string[]
  /** Absent in agents from before features were announced. */
  features?: string[]
}

export interface AgentStatus {
  agent: AgentInfo
  environments: EnvironmentStatus[]
}
