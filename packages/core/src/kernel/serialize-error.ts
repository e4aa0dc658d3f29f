import { isPipewrightError, type SerializedError } from '@pipewright/plugin-api'
import type { Redactor } from '../security/redact.js'

/**
 * An error as runs keep it: code, message, fix, and the plugin it came from, with secrets masked.
 * Anything that is not a PipewrightError is a bug somewhere: PW_ERR_INTERNAL.
 */
export function serializeError(error: unknown, redact: Redactor): SerializedError {
  if (isPipewrightError(error)) {
    return { code: error.code, message: redact(error.message), details: redact(error.details), ...(error.plugin ? { plugin: error.plugin } : {}) }
  }
  return { code: 'PW_ERR_INTERNAL', message: redact(error instanceof Error ? error.message : String(error)) }
}

/** Masks secrets in an error that already has its stored shape. */
export function redactError(error: SerializedError, redact: Redactor): SerializedError {
  return { ...error, message: redact(error.message), ...(error.details !== undefined ? { details: redact(error.details) } : {}) }
}
