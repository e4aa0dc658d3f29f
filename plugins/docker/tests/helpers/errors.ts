import type { PipewrightError } from '@pipewright/plugin-api'

/** The error `promise` rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<PipewrightError> {
  try {
    await promise
  } catch (error) {
    return error as PipewrightError
  }
  throw new Error('expected the promise to reject, but it resolved')
}
