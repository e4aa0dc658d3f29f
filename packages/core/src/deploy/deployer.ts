import { createToken, type EnvironmentsService, type SerializedError } from '@pipewright/plugin-api'

/** An environment as a deployer receives it: every expression resolved, durations in milliseconds. */
export interface EnvironmentRequest {
  name: string
  url: string
  target: { uses: string; with: Record<string, unknown> }
  instances: number
  health: { path: string; expectStatus?: number[]; timeoutMs?: number; intervalMs?: number; startupTimeoutMs?: number }
  env: Record<string, string>
}

/** A strategy, normalized. */
export type StrategyRequest =
  | { kind: 'recreate' }
  | { kind: 'rolling' }
  | { kind: 'blue-green'; keepPreviousMs?: number }
  | { kind: 'canary'; steps: number[]; pauseMs?: number }

export interface DeployerRequest {
  environment: EnvironmentRequest
  version: string
  /** An absolute directory (pinned by the target before the call returns) or an image reference. */
  source: { directory: string } | { image: string }
  strategy: StrategyRequest
  /** Run id, stage id, commit, deployment id: copied into the deployer's own records. */
  meta: Record<string, string>
}

/** A canary step whose share of traffic the new version now has: what `onCanaryStep` judges. */
export interface CanaryStep {
  /** The new version's share of traffic, in percent (below 100). */
  weight: number
}

/** The verdict on a canary step: go on to the next, or abort the canary (`reason` goes into the result). */
export type CanaryStepVerdict = { proceed: true } | { proceed: false; reason: string }

export interface DeployerCallOptions {
  /** Progress, one line each: it becomes a line of the stage's log. */
  onProgress(progress: { level: 'info' | 'warn' | 'error'; message: string }): void
  /** Aborted when the run is cancelled: the deployer aborts the operation (traffic back to the stable version). */
  signal: AbortSignal
  /**
   * Given for a canary whose steps are analyzed: called after each traffic step below 100, which
   * then lasts until it answers (its pause being the least). `proceed: false` aborts the canary:
   * all traffic back to the stable version at once, the canary's instances stopped, the deploy
   * `aborted`. A deployer that cannot hold steps for a verdict must fail the deploy, not ignore it.
   */
  onCanaryStep?(step: CanaryStep): Promise<CanaryStepVerdict>
}

/** What a deploy or rollback did. `failed` and `aborted` leave the previous version serving. */
export interface DeployerResult {
  outcome: 'succeeded' | 'failed' | 'aborted'
  version: string
  previousVersion?: string
  strategy: string
  startedAt: number
  finishedAt: number
  /** What serves now. */
  servingVersion?: string
  /** Why it failed: for an unhealthy version, which health check failed and its last response. */
  error?: SerializedError
}

/** What a deployer knows about an environment now (for `pipewright envs`). */
export interface DeployedEnvironmentStatus {
  name: string
  url: string
  /** `serving`, `degraded`, `down`, `empty`, `stopped` … as the deployer says. */
  state: string
  version?: string
  instances: Array<{ id: string; version: string; healthy?: boolean; health?: string; state: string; restarts?: number; lastExit?: string }>
  /** An operation in flight, in a few words. */
  operation?: string
}

/**
 * Puts versions into environments: what a `deploy:` stage's attempt calls instead of a process.
 * Core owns this interface and never implements it: the CLI (and the server) register one under
 * `DEPLOYER` — `@pipewright/agent`'s `createAgentDeployer(home)` drives the deployment agent.
 */
export interface Deployer {
  deploy(request: DeployerRequest, options: DeployerCallOptions): Promise<DeployerResult>
  /** Returns an environment to its previous version, or `toVersion` (one it ran before). */
  rollback(environment: EnvironmentRequest, request: { toVersion?: string; meta: Record<string, string> }, options: DeployerCallOptions): Promise<DeployerResult>
  /** Each environment's live state, when the deployer can tell without starting anything. */
  status?(): Promise<DeployedEnvironmentStatus[] | undefined>
}

/** The engine's deployer, in its DI container (`createEngine({ services: [{ token: DEPLOYER, useValue }] })`). */
export const DEPLOYER = createToken<Deployer>('engine.deployer')

/** `ENVIRONMENTS` (what `monitoring/process` reads) answered by the deployer's `status()`. */
export function environmentsThroughDeployer(deployer: () => Deployer | undefined): EnvironmentsService {
  return {
    async instances(environment) {
      const all = await deployer()?.status?.()
      const found = all?.find((e) => e.name === environment)
      if (!found) return undefined
      return { name: found.name, state: found.state, ...(found.version ? { version: found.version } : {}), instances: found.instances.map((i) => ({ ...i })) }
    },
  }
}
