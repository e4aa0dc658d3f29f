import { PipewrightError } from '@pipewright/plugin-api'

const HOME_FIX = 'Point --home (or PIPEWRIGHT_HOME) at a writable directory, or fix the permissions of this one.'

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message
  }
  return String(cause)
}

/** The home directory (or a file in it) cannot be created or written. */
export function unwritableHomeError(path: string, cause: unknown): PipewrightError {
  return new PipewrightError('PW_ERR_STORE', `The store directory ${path} cannot be written: ${describeCause(cause)}`, { details: HOME_FIX, cause })
}

/** A failure while reading or writing an open database. */
export function databaseError(path: string, action: string, cause: unknown): PipewrightError {
  return new PipewrightError('PW_ERR_STORE', `Store ${path}: ${action} failed: ${describeCause(cause)}`, {
    details: 'Check that the disk is not full and the file is writable; if another process holds a lock for long, stop it and try again.',
    cause,
  })
}

/** The file exists but is not a database this version can use; it was left untouched. */
export function unusableDatabaseError(path: string, reason: string, details: string, cause?: unknown): PipewrightError {
  return new PipewrightError('PW_ERR_STORE', `Store ${path} ${reason}`, { details, cause })
}

export function closedStoreError(path: string): PipewrightError {
  return new PipewrightError('PW_ERR_STORE', `Store ${path} is closed`, { details: 'Open a new store with createSqliteStore(); a closed store cannot be used again.' })
}
