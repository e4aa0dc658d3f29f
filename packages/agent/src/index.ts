export { connectAgent, ensureAgent, probeAgent } from './client.js'
export type { AgentClient, EnsureAgentOptions, OperationOptions } from './client.js'
export { createAgentDeployer } from './deployer.js'
export type { AgentDeployerOptions } from './deployer.js'
export { agentPaths } from './paths.js'
export type { AgentPaths } from './paths.js'
export { runAgent, FIRST_PARTY_TARGET_PLUGINS } from './run-agent.js'
export type { RunAgentOptions, RunningAgent } from './run-agent.js'
export { DeploymentAgent } from './agent.js'
export {
  DeployRequest,
  EnvironmentSpec,
  HealthCheckSpec,
  PROTOCOL_VERSION,
  RollbackRequest,
  StrategySpec,
  SupervisionSpec,
  TargetRef,
  strategySchema,
} from './protocol.js'
export type {
  AgentInfo,
  AgentStatus,
  DeployEvent,
  DeployInput,
  DeploymentResult,
  EnvironmentInput,
  EnvironmentStatus,
  HealthFailure,
  InstanceInfo,
  OperationInfo,
  Outcome,
  RollbackInput,
  StrategyKind,
} from './protocol.js'
