import { PipewrightError, type RunStatus } from '@pipewright/plugin-api'
import type { ArtifactRecord, LogLine, RunRecord, StageRecord, Store, StoredEvent } from '@pipewright/store-api'
import type { RunHandle } from '../engine/types.js'
import { markInterruptedRuns } from './interrupted.js'

export interface RunListQuery {
  pipeline?: string
  status?: RunStatus | RunStatus[]
  branch?: string
  /** Page size (default 50). */
  limit?: number
  /** The `next` of the previous page. */
  cursor?: string
}

export interface RunPage {
  runs: RunRecord[]
  /** Pass as `cursor` for the next page; absent on the last page. */
  next?: string
}

/** How many recent runs an id prefix is matched against. */
const PREFIX_WINDOW = 1000

function encodeCursor(run: RunRecord): string {
  return Buffer.from(JSON.stringify([run.createdAt, run.id])).toString('base64url')
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown]
    if (typeof createdAt === 'number' && typeof id === 'string') return { createdAt, id }
  } catch {
    // reported below
  }
  throw new PipewrightError('PW_ERR_USAGE', `Invalid run list cursor "${cursor}"`, { details: 'Pass the `next` value of the previous page unchanged.' })
}

/**
 * The one read API over runs, for the CLI, the server, the test kit and embedders. Every read
 * first repairs the status of runs whose process died (`interrupted`), so no reader sees a dead
 * run as running.
 */
export class RunsApi {
  constructor(
    private readonly store: Store,
    private readonly liveRuns: ReadonlyMap<string, RunHandle> = new Map(),
  ) {}

  async list(query: RunListQuery = {}): Promise<RunPage> {
    await markInterruptedRuns(this.store)
    const limit = Math.max(1, query.limit ?? 50)
    const runs = await this.store.listRuns({
      ...(query.pipeline !== undefined ? { pipeline: query.pipeline } : {}),
      ...(query.status !== undefined ? { status: query.status } : {}),
      ...(query.branch !== undefined ? { branch: query.branch } : {}),
      ...(query.cursor !== undefined ? { before: decodeCursor(query.cursor) } : {}),
      limit: limit + 1,
    })
    const page = runs.slice(0, limit)
    return runs.length > limit ? { runs: page, next: encodeCursor(page.at(-1)!) } : { runs: page }
  }

  /** A run by id; undefined when the store has none. */
  async get(id: string): Promise<RunRecord | undefined> {
    const run = await this.store.getRun(id)
    if (run?.status === 'running' || run?.status === 'queued') {
      if ((await markInterruptedRuns(this.store)).includes(id)) return this.store.getRun(id)
    }
    return run
  }

  /**
   * A run by id or by a unique prefix of its id among the newest `PREFIX_WINDOW` runs (ids are
   * long; people paste the first few characters). `where` names the store in the error, and
   * `details` says where else to look.
   */
  async find(idOrPrefix: string, options: { where?: string; details?: string } = {}): Promise<RunRecord> {
    const exact = await this.get(idOrPrefix)
    if (exact) return exact
    const { runs } = await this.list({ limit: PREFIX_WINDOW })
    const matches = runs.filter((r) => r.id.startsWith(idOrPrefix))
    if (matches.length === 1) return matches[0]!
    if (matches.length > 1) {
      throw new PipewrightError('PW_ERR_USAGE', `Run id ${idOrPrefix} is ambiguous: ${matches.length} runs start with it`, {
        details: `Give more characters of the id, e.g. ${matches.slice(0, 3).map((r) => r.id).join(', ')}.`,
      })
    }
    throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${idOrPrefix} not found in ${options.where ?? 'this store'}`, options.details ? { details: options.details } : {})
  }

  stages(runId: string): Promise<StageRecord[]> {
    return this.store.getStages(runId)
  }

  /**
   * A run's log, line by line. The store keeps consecutive lines of a stage in one record (one
   * `seq`): every line of a record carries its `seq`, so paging with `afterSeq` (the last `seq`
   * seen) never splits one, and `limit` counts records.
   */
  async logs(runId: string, query: { stageId?: string; afterSeq?: number; limit?: number } = {}): Promise<LogLine[]> {
    const records = await this.store.getLogs(runId, query)
    return records.some((r) => r.line.includes('\n')) ? records.flatMap((r) => r.line.split('\n').map((line) => ({ ...r, line }))) : records
  }

  /** The run's event journal after a sequence number (what a reconnecting viewer missed). */
  events(runId: string, query: { afterSeq?: number } = {}): Promise<StoredEvent[]> {
    return this.store.getEvents(runId, query.afterSeq)
  }

  artifacts(runId: string): Promise<ArtifactRecord[]> {
    return this.store.listArtifacts(runId)
  }

  /** The handle of a run this engine runs (or holds queued) now. */
  live(runId: string): RunHandle | undefined {
    return this.liveRuns.get(runId)
  }
}
