import type { RunRecord, Store } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'

/** How many recent runs an id prefix is matched against. */
const PREFIX_WINDOW = 1000

const WHERE_RUNS_LIVE =
  'Runs live in the store of --home / PIPEWRIGHT_HOME, else <pipeline dir>/.pipewright: pass -f <pipeline file> or --home <dir> to look in another one. List runs with `pipewright runs`.'

/**
 * A run by its id, or by a unique prefix of it (ids are long; people paste the first few
 * characters). `home` names the store in the error when the run is not there.
 */
export async function findRun(store: Store, idOrPrefix: string, home?: string): Promise<RunRecord> {
  const exact = await store.getRun(idOrPrefix)
  if (exact) return exact
  const matches = (await store.listRuns({ limit: PREFIX_WINDOW })).filter((r) => r.id.startsWith(idOrPrefix))
  if (matches.length === 1 && matches[0]) return matches[0]
  if (matches.length > 1) {
    throw new PipewrightError('PW_ERR_USAGE', `Run id ${idOrPrefix} is ambiguous: ${matches.length} runs start with it`, {
      details: `Give more characters of the id, e.g. ${matches
        .slice(0, 3)
        .map((r) => r.id)
        .join(', ')}.`,
    })
  }
  throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${idOrPrefix} not found in ${home ? `the store at ${home}` : 'this store'}`, {
    details: WHERE_RUNS_LIVE,
  })
}

/** For read-only commands, which do not create a store that does not exist yet. */
export function noStoreError(idOrPrefix: string, home: string): PipewrightError {
  return new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${idOrPrefix} not found: there is no store at ${home}`, { details: WHERE_RUNS_LIVE })
}
