export { renderGraph } from './graph.js'
export { PIPELINE_DOCS_MARK, renderPipelineDocs } from './docs.js'
export { PIPELINE_SCHEMA_ID, pipelineJsonSchema } from './json-schema.js'
export { PIPELINE_FILE_NAMES, findPipelineFile } from './find-file.js'
export { readPipelineFile } from './load.js'
export type { SourceLocator } from './load.js'
export { expandMatrix, instanceId } from './matrix.js'
export type { MatrixCombination, MatrixValue } from './matrix.js'
export { planPipeline } from './plan.js'
export type { Plan, PlanOptions, PlannedStage } from './plan.js'
export { REFERENCE_COMMAND, renderPipelineReference } from './reference.js'
export {
  MATRIX_KEY_PATTERN,
  SECRET_NAME_PATTERN,
  STAGE_ID_PATTERN,
  USES_PATTERN,
  cacheSchema,
  deploySpecSchema,
  environmentSchema,
  ENVIRONMENT_NAME_PATTERN,
  strategySchema,
  definePipeline,
  gateRefSchema,
  pipelineSchema,
  pluginRefSchema,
  retrySchema,
  stageSchema,
} from './schema.js'
export type { GateRef, PipelineInput, PipelineSpec, PluginRef, RetrySpec, StageSpec } from './schema.js'
export type { DeploySpec, EnvironmentSpec, ProtectionSpec, StrategyInput } from './environment-schema.js'
export { validatePipeline } from './validate.js'
export type { UsesRegistry, ValidateOptions } from './validate.js'
