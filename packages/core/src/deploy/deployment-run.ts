import type { LoadedPipeline } from '../engine/types.js'
import { stageSchema, type StageSpec } from '../pipeline/schema.js'
import { environmentOf } from './environments.js'

/** What `pipewright deploy` and `pipewright rollback` ask for. */
export type DeploymentAction = { kind: 'deploy'; version: string } | { kind: 'rollback'; toVersion?: string }

/**
 * A pipeline of one `deploy:` stage, for deploying a recorded version (or rolling back) outside
 * the pipeline's own stages. It keeps the pipeline's name and environments, so the run is listed
 * with the others and passes the same protection rules, lock and approvals, and its deployment
 * is recorded like any other.
 */
export function deploymentPipeline(pipeline: LoadedPipeline, environment: string, action: DeploymentAction): LoadedPipeline {
  environmentOf(pipeline.spec, environment)
  const id = `${action.kind}-${environment}`
  const deploy = action.kind === 'deploy' ? { environment, version: action.version } : { environment, rollback: action.toVersion ?? true }
  const stage: StageSpec = stageSchema.parse({ description: action.kind === 'deploy' ? `Deploy the recorded version ${action.version} to ${environment}` : `Roll ${environment} back`, deploy })
  return {
    ...pipeline,
    spec: { ...pipeline.spec, stages: { [id]: stage } },
  }
}
