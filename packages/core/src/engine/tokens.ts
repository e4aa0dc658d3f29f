import { createToken } from '@pipewright/plugin-api'
import type { StageExecutor } from '../exec/executor.js'
import type { RecorderFactory } from '../record/recorder.js'
import type { Redactor } from '../security/redact.js'

export { STORE } from '@pipewright/store-api'
export { CLOCK, EVENTS } from '@pipewright/plugin-api'

/** Builds the redactor of a run from its secret values (one redactor masks everything a run shows or keeps). */
export type RedactorFactory = (secrets: Iterable<string>) => Redactor

/**
 * The engine's parts, resolved from its DI container. An embedder replaces one by registering
 * another under the same token (`createEngine({ services: [{ token: EXECUTOR, useValue: … }] })`).
 */
export const EXECUTOR = createToken<StageExecutor>('engine.executor')
export const REDACTION = createToken<RedactorFactory>('engine.redaction')
export const RECORDER = createToken<RecorderFactory>('engine.recorder')
