import type { StoredRecord } from '@pipewright/plugin-api'
import type { DeploymentRecord, RunRecord, StageRecord, StoredEvent, Store } from '@pipewright/store-api'
import { inWindow, type TimeWindow } from './window.js'

/** One run of the window with what the review reads of it. */
export interface ReviewRun {
  run: RunRecord
  stages: StageRecord[]
  events: StoredEvent[]
}

export interface ReviewData {
  window: TimeWindow
  runs: ReviewRun[]
  /** `test-runner.results` and `linter.problems` records of those runs. */
  records: StoredRecord[]
  deployments: DeploymentRecord[]
}

export const TEST_RESULTS = 'test-runner.results'
export const LINT_PROBLEMS = 'linter.problems'

/** Reads the runs created in the window (of one pipeline, or all) with their stages, events and records. */
export async function loadReviewData(store: Store, window: TimeWindow, pipeline?: string): Promise<ReviewData> {
  const all = await store.listRuns(pipeline ? { pipeline } : {})
  const inside = all.filter((r) => inWindow(r.createdAt, window)).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
  const runs: ReviewRun[] = []
  for (const run of inside) runs.push({ run, stages: await store.getStages(run.id), events: await store.getEvents(run.id) })
  const ids = new Set(inside.map((r) => r.id))
  const records: StoredRecord[] = []
  for (const name of new Set(inside.map((r) => r.pipeline))) {
    for (const kind of [TEST_RESULTS, LINT_PROBLEMS]) records.push(...(await store.findRecords({ pipeline: name, kind })).filter((r) => ids.has(r.runId)))
  }
  const deployments = (await store.listDeployments(pipeline ? { pipeline } : {})).filter((d) => ids.has(d.runId))
  return { window, runs, records, deployments }
}
