export { z } from 'zod'
export { API_VERSION, PLUGIN_ID_PATTERN, definePlugin, isPlugin } from './plugin.js'
export type {
  GateDefinition,
  MonitorDefinition,
  NotifierDefinition,
  Plugin,
  PluginApi,
  PluginDefinition,
  StageDefinition,
} from './plugin.js'
export type {
  ArtifactWriter,
  BaseContext,
  ExecOptions,
  ExecResult,
  GateContext,
  GateResult,
  GitInfo,
  Logger,
  MonitorContext,
  MonitorHandle,
  MonitorSample,
  Notification,
  NotifierContext,
  OutputWriter,
  RecordQuery,
  RunRecords,
  SecretReader,
  StageContext,
  StoredArtifact,
  StoredRecord,
} from './context.js'
export type {
  InstanceHandle,
  InstanceLiveness,
  InstanceSpec,
  JsonValue,
  ReleaseSource,
  StopOptions,
  TargetContext,
  TargetDefinition,
} from './deploy.js'
export type {
  AfterAttemptResult,
  AfterStageResult,
  AttemptOutcome,
  HookName,
  HookOptions,
  LifecycleHooks,
  PrepareResult,
  RunHookContext,
  RunSummary,
  StageHookContext,
  StageOutcome,
  VerifyResult,
  WaitRequest,
} from './lifecycle.js'
export type {
  AnalysisEvidence,
  AnalysisVerdict,
  DeploymentEventRecord,
  EvidenceSample,
  EventInput,
  EventName,
  EventPayload,
  EventSource,
  GateVerdict,
  PipewrightEvent,
  PipewrightEvents,
  RunStatus,
  SerializedError,
  StageStatus,
} from './events.js'
export {
  ERROR_CODES,
  ERROR_CODE_PATTERN,
  PipewrightError,
  checkErrorCodes,
  defineErrorCodes,
  errorCodeInfo,
  formatProblem,
  isPipewrightError,
  pluginErrorPrefix,
  registerErrorCodes,
  registeredErrorCodes,
} from './errors.js'
export type { CoreErrorCode, ErrorCode, ErrorCodeInfo, PipewrightErrorOptions, Problem } from './errors.js'
export { createToken } from './tokens.js'
export type { Provider, Resolver, Token } from './tokens.js'
export { parseDuration } from './duration.js'
export { durationSchema, relativePathSchema } from './schema-helpers.js'
export { CLOCK, ENVIRONMENTS, EVENTS, LOGGER, PLUGIN_CONFIG } from './services.js'
export type { Clock, EnvironmentInstances, EnvironmentsService } from './services.js'
