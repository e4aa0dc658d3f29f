import { RunsApi, type RunRecord, type Store } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'

const WHERE_RUNS_LIVE =
  'Runs live in the store of --home / PIPEWRIGHT_HOME, else <pipeline dir>/.pipewright: pass -f <pipeline file> or --home <dir> to look in another one. List runs with `pipewright runs`.'

/** The read API over a store the command opened (it repairs the status of runs whose process died). */
export function runsOf(store: Store): RunsApi {
  return new RunsApi(store)
}

/**
 * A run by its id, or by a unique prefix of it (ids are long; people paste the first few
 * characters). `home` names the store in the error when the run is not there.
 */
export function findRun(runs: RunsApi, idOrPrefix: string, home?: string): Promise<RunRecord> {
  return runs.find(idOrPrefix, { where: home ? `the store at ${home}` : 'this store', details: WHERE_RUNS_LIVE })
}

/** For read-only commands, which do not create a store that does not exist yet. */
export function noStoreError(idOrPrefix: string, home: string): PipewrightError {
  return new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${idOrPrefix} not found: there is no store at ${home}`, { details: WHERE_RUNS_LIVE })
}
