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
      const result = await (await agent()).deploy({ environment: environmentInput(request.environment), version: request.version, source: request.source, strategy: request.strategy, meta: request.meta }, callOptions(call))
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
