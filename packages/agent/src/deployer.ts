import { PipewrightError } from '@pipewright/plugin-api'
import type { DeployedEnvironmentStatus, Deployer, DeployerCallOptions, DeployerResult, EnvironmentRequest } from '@pipewright/core'
import { connectAgent, ensureAgent, probeAgent, type AgentClient, type EnsureAgentOptions } from './client.js'
import type { DeployEvent, DeploymentResult, EnvironmentInput } from './protocol.js'

export interface AgentDeployerOptions extends EnsureAgentOptions {
  /** The Pipewright home whose agent deploys (started on the first deploy when none runs). */
  home: string
}

function environmentInput(e: EnvironmentRequest): EnvironmentInput {
  return { name: e.name, url: e.url, target: e.target, instances: e.instances, health: e.health, env: e.env }
}

function toResult(r: DeploymentResult): DeployerResult {
  return {
    outcome: r.outcome,
    version: r.version,
    ...(r.previousVersion ? { previousVersion: r.previousVersion } : {}),
    strategy: r.strategy,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    ...(r.servingVersion ? { servingVersion: r.servingVersion } : {}),
    ...(r.error ? { error: { code: r.error.code, message: r.error.message, ...(r.error.details ? { details: r.error.details } : {}) } } : {}),
  }
}

function callOptions(options: DeployerCallOptions) {
  return { signal: options.signal, onEvent: (e: DeployEvent) => options.onProgress({ level: e.level, message: e.message }) }
}

/** The deploy's progress, with each canary step awaiting a verdict handed to `onCanaryStep` and its answer sent back. */
function judgedCallOptions(client: AgentClient, environment: string, options: DeployerCallOptions & Required<Pick<DeployerCallOptions, 'onCanaryStep'>>) {
  const judge = async (operation: string, step: number) => {
    let verdict
    try {
      verdict = await options.onCanaryStep({ weight: step })
    } catch (error) {
      verdict = { proceed: false as const, reason: `the verdict on the ${step}% step could not be reached: ${error instanceof Error ? error.message : String(error)}` }
    }
    if (verdict.proceed) await client.proceed(environment, { operation, step })
    else await client.abort(environment, verdict.reason)
  }
  return {
    signal: options.signal,
    onEvent(e: DeployEvent) {
      options.onProgress({ level: e.level, message: e.message })
      const step = e.data?.step
      const operation = e.data?.operation
      if (e.kind === 'canary-step' && typeof step === 'number' && typeof operation === 'string') {
        // An agent that went away ends the operation's stream too: the deploy's result says so.
        void judge(operation, step).catch((error: unknown) => options.onProgress({ level: 'error', message: `could not send the verdict on the ${step}% step to the agent: ${error instanceof Error ? error.message : String(error)}` }))
      }
    },
  }
}

/** A canary held for verdicts needs an agent that knows how (one started by an older Pipewright would run it unjudged). */
async function checkVerdicts(client: AgentClient): Promise<void> {
  const info = await client.info()
  if (info.features?.includes('canary-verdicts')) return
  throw new PipewrightError('PW_ERR_AGENT_UNAVAILABLE', `The deployment agent running for ${info.home} (pid ${info.pid}, ${info.version}) cannot hold canary steps for their analysis`, {
    details: 'It was started by an older Pipewright. Stop it with `pipewright agent stop` (its instances keep running) and deploy again: a new agent adopts them.',
  })
}

/**
 * The engine's deployer (`DEPLOYER`) on the deployment agent of a Pipewright home: deploys and
 * rollbacks go to the agent (started on demand, detached); `status` asks a running agent only.
 */
export function createAgentDeployer(options: AgentDeployerOptions): Deployer {
  let client: Promise<AgentClient> | undefined
  const agent = () => (client ??= ensureAgent(options.home, options).catch((error: unknown) => {
    client = undefined
    throw error
  }))
  return {
    async deploy(request, call) {
      const client = await agent()
      const { onCanaryStep } = call
      const judged = request.strategy.kind === 'canary' && onCanaryStep !== undefined
      if (judged) await checkVerdicts(client)
      const strategy = judged ? { ...request.strategy, awaitVerdicts: true } : request.strategy
      const result = await client.deploy(
        { environment: environmentInput(request.environment), version: request.version, source: request.source, strategy, meta: request.meta },
        judged ? judgedCallOptions(client, request.environment.name, { ...call, onCanaryStep }) : callOptions(call),
      )
      return toResult(result)
    },
    async rollback(environment, request, call) {
      const result = await (await agent()).rollback(environment.name, { ...(request.toVersion ? { toVersion: request.toVersion } : {}), meta: request.meta }, callOptions(call))
      return toResult(result)
    },
    async status(): Promise<DeployedEnvironmentStatus[] | undefined> {
      if (!(await probeAgent(options.home))) return undefined
      const { environments } = await (await connectAgent(options.home)).status()
      return environments.map((e) => ({
        name: e.name,
        url: e.url,
        state: e.state,
        ...(e.version ? { version: e.version } : {}),
        instances: e.instances.map((i) => ({ id: i.id, version: i.version, state: i.state, ...(i.healthy !== undefined ? { healthy: i.healthy } : {}), ...(i.health ? { health: i.health } : {}), restarts: i.restarts, ...(i.lastExit ? { lastExit: i.lastExit } : {}) })),
        ...(e.operation ? { operation: `${e.operation.kind} of ${e.operation.version} (${e.operation.strategy}, ${e.operation.phase})` } : {}),
      }))
    },
  }
}
