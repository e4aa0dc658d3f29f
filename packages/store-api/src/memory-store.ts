import { mkdirSync } from 'node:fs'
import { PipewrightError, type StoredRecord } from '@pipewright/plugin-api'
import { chainAuditEntry, matchesAuditFilter } from './audit.js'
import { matchesHealthFilter } from './health-filter.js'
import type { ApprovalRecord, AuditEntry, AuditFilter, ArtifactRecord, CacheEntry, DeploymentFilter, DeploymentRecord, HealthRecord, LockEntry, LogLine, RecordFilter, RunFilter, RunRecord, StageRecord, Store, StoredEvent } from './types.js'
import { decideAcquisition, lockState } from './environment-lock.js'
import { matchesDeploymentFilter, newestDeploymentFirst, approverKey } from './deployment-filter.js'
import { matchesRunFilter, newestFirst, PRUNABLE } from './run-filter.js'
import { memoryServerStore } from './server-memory.js'

export interface MemoryStoreOptions {
  /** Directory for artifact files (created if missing); omitted: artifacts stay in memory. */
  artifactDir?: string
}

type SavedRecord = Omit<StoredRecord, 'runStatus' | 'branch' | 'sha'>

interface RecordEntry {
  pipeline: string
  record: SavedRecord
  /** Insertion order: breaks ties between records created in the same millisecond. */
  order: number
}

// Fields a patch may clear by passing `undefined`; required fields ignore `undefined`.
const OPTIONAL_RUN_FIELDS = new Set(['file', 'startedAt', 'finishedAt', 'branch', 'sha', 'trigger', 'triggeredBy', 'resumes', 'waiting'])
const RUN_FIELDS = new Set([
  ...OPTIONAL_RUN_FIELDS,
  'pipeline', 'dir', 'status', 'plan', 'options', 'createdAt', 'pid', 'host', 'heartbeatAt',
])

// Values go through JSON so the memory store behaves exactly like a persistent one: callers
// cannot change stored data by mutating what they passed in or got back.
function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T)
}

/** Inserts by `seq`, replacing an item with the same `seq` (a re-written event or line). */
function insertBySeq<T extends { seq: number }>(list: T[], item: T): void {
  const last = list[list.length - 1]
  if (last === undefined || last.seq < item.seq) {
    list.push(item)
    return
  }
  const index = list.findIndex((existing) => existing.seq >= item.seq)
  if (list[index]?.seq === item.seq) list[index] = item
  else list.splice(index, 0, item)
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key)
  if (value === undefined) {
    value = create()
    map.set(key, value)
  }
  return value
}

/**
 * A store that keeps everything in process memory: the engine's default, and the test kit's.
 * Behaves like `@pipewright/store-sqlite` (both pass the same conformance suite) but nothing
 * survives the process.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  if (options.artifactDir !== undefined) mkdirSync(options.artifactDir, { recursive: true })

  const runs = new Map<string, RunRecord>()
  const stages = new Map<string, Map<string, StageRecord>>()
  const events = new Map<string, StoredEvent[]>()
  const logs = new Map<string, LogLine[]>()
  const cache = new Map<string, CacheEntry>()
  const artifacts = new Map<string, Map<string, ArtifactRecord>>()
  const records = new Map<string, RecordEntry>()
  const state = new Map<string, unknown>()
  const deployments = new Map<string, DeploymentRecord>()
  const locks = new Map<string, LockEntry[]>()
  const approvals = new Map<string, ApprovalRecord[]>()
  const health: HealthRecord[] = []
  const audit: AuditEntry[] = []
  let lockSeq = 0
  let recordOrder = 0
  let closed = false

  function open(): void {
    if (closed) throw new PipewrightError('PW_ERR_STORE', 'The memory store is closed', { details: 'Create a new store; a closed store cannot be used again.' })
  }

  const store: Store = {
    kind: 'memory',
    ...(options.artifactDir === undefined ? {} : { artifactDir: options.artifactDir }),
    ...memoryServerStore(open),

    async createRun(run) {
      open()
      if (runs.has(run.id)) {
        throw new PipewrightError('PW_ERR_STORE', `Run ${run.id} already exists in the memory store`, { details: 'Give every run a new id; use updateRun to change an existing run.' })
      }
      runs.set(run.id, clone(run))
    },

    async updateRun(id, patch) {
      open()
      const run = runs.get(id) as Record<string, unknown> | undefined
      if (run === undefined) throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${id} is not in the memory store`)
      for (const [key, value] of Object.entries(patch)) {
        if (!RUN_FIELDS.has(key)) continue
        if (value !== undefined) run[key] = clone(value)
        else if (OPTIONAL_RUN_FIELDS.has(key)) delete run[key]
      }
    },

    async getRun(id) {
      open()
      return clone(runs.get(id))
    },

    async listRuns(filter: RunFilter = {}) {
      open()
      const selected = [...runs.values()].filter((run) => matchesRunFilter(run, filter)).sort(newestFirst)
      return clone(filter.limit === undefined ? selected : selected.slice(0, Math.max(0, filter.limit)))
    },

    async putStage(stage) {
      open()
      getOrCreate(stages, stage.runId, () => new Map()).set(stage.stageId, clone(stage))
    },

    async getStages(runId) {
      open()
      return clone([...(stages.get(runId)?.values() ?? [])])
    },

    async appendEvents(list) {
      open()
      for (const event of list) insertBySeq(getOrCreate(events, event.runId, () => []), clone(event))
    },

    async getEvents(runId, afterSeq) {
      open()
      const list = events.get(runId) ?? []
      return clone(afterSeq === undefined ? list : list.filter((event) => event.seq > afterSeq))
    },

    async appendLogs(lines) {
      open()
      for (const line of lines) insertBySeq(getOrCreate(logs, line.runId, () => []), { ...line })
    },

    async getLogs(runId, query = {}) {
      open()
      const { stageId, afterSeq, limit } = query
      const selected: LogLine[] = []
      for (const line of logs.get(runId) ?? []) {
        if (limit !== undefined && selected.length >= limit) break
        if ((afterSeq === undefined || line.seq > afterSeq) && (stageId === undefined || line.stageId === stageId)) selected.push({ ...line })
      }
      return selected
    },

    async putCache(entry) {
      open()
      cache.set(entry.key, clone(entry))
    },

    async getCache(key) {
      open()
      return clone(cache.get(key))
    },

    async addArtifact(artifact) {
      open()
      getOrCreate(artifacts, artifact.runId, () => new Map()).set(`${artifact.stageId}\0${artifact.path}`, clone(artifact))
    },

    async listArtifacts(runId) {
      open()
      return clone([...(artifacts.get(runId)?.values() ?? [])])
    },

    async saveRecord(pipeline, record) {
      open()
      const key = `${record.runId}\0${record.stageId}\0${record.kind}`
      const order = records.get(key)?.order ?? recordOrder++
      records.set(key, { pipeline, record: clone(record), order })
    },

    async findRecords(filter: RecordFilter) {
      open()
      const found: Array<{ record: StoredRecord; order: number }> = []
      for (const { pipeline, record, order } of records.values()) {
        if (pipeline !== filter.pipeline || record.kind !== filter.kind) continue
        if (filter.runId !== undefined && record.runId !== filter.runId) continue
        if (filter.excludeRunId !== undefined && record.runId === filter.excludeRunId) continue
        if (filter.stageId !== undefined && record.stageId !== filter.stageId) continue
        const run = runs.get(record.runId)
        const joined: StoredRecord = { ...clone(record), runStatus: run?.status ?? 'unknown' }
        if (run?.branch !== undefined) joined.branch = run.branch
        if (run?.sha !== undefined) joined.sha = run.sha
        if (filter.branch !== undefined && joined.branch !== filter.branch) continue
        if (filter.runStatus !== undefined && joined.runStatus !== filter.runStatus) continue
        found.push({ record: joined, order })
      }
      found.sort((a, b) => b.record.createdAt - a.record.createdAt || b.order - a.order)
      const limited = filter.limit === undefined ? found : found.slice(0, Math.max(0, filter.limit))
      return limited.map((item) => item.record)
    },

    async copyStageRecords(pipeline, from, to, createdAt) {
      open()
      let copied = 0
      for (const entry of [...records.values()]) {
        if (entry.pipeline !== pipeline || entry.record.runId !== from.runId || entry.record.stageId !== from.stageId) continue
        const record = { ...clone(entry.record), runId: to.runId, stageId: to.stageId, createdAt }
        const key = `${to.runId}\0${to.stageId}\0${record.kind}`
        records.set(key, { pipeline, record, order: records.get(key)?.order ?? recordOrder++ })
        copied++
      }
      return copied
    },

    async getState<T = unknown>(key: string) {
      open()
      return clone(state.get(key)) as T | undefined
    },

    async setState(key, value) {
      open()
      if (value === undefined) state.delete(key)
      else state.set(key, clone(value))
    },

    async addDeployment(deployment) {
      open()
      deployments.set(deployment.id, clone(deployment))
    },

    async markDeploymentRolledBack(id, rollbackId) {
      open()
      const found = deployments.get(id)
      if (!found) throw new PipewrightError('PW_ERR_STORE', `Deployment ${id} is not in the memory store`)
      found.outcome = 'rolled-back'
      found.rolledBackBy = rollbackId
    },

    async getDeployment(id) {
      open()
      return clone(deployments.get(id))
    },

    async listDeployments(filter: DeploymentFilter = {}) {
      open()
      const selected = [...deployments.values()].filter((d) => matchesDeploymentFilter(d, filter)).sort(newestDeploymentFirst)
      return clone(filter.limit === undefined ? selected : selected.slice(0, Math.max(0, filter.limit)))
    },

    async acquireEnvironmentLock(environment, request) {
      open()
      const entries = locks.get(environment) ?? []
      const { entry, result } = decideAcquisition(environment, entries, request, () => ++lockSeq)
      locks.set(environment, [...entries.filter((e) => e.runId !== entry.runId || e.stageId !== entry.stageId), entry])
      return clone(result)
    },

    async releaseEnvironmentLock(environment, owner) {
      open()
      const entries = locks.get(environment) ?? []
      const kept = entries.filter((e) => !(e.runId === owner.runId && e.stageId === owner.stageId && (owner.token === undefined || e.token === owner.token)))
      if (kept.length === 0) locks.delete(environment)
      else locks.set(environment, kept)
      return kept.length !== entries.length
    },

    async getEnvironmentLock(environment) {
      open()
      return clone(lockState(environment, locks.get(environment) ?? []))
    },

    async listEnvironmentLocks() {
      open()
      return clone([...locks.keys()].sort().map((name) => lockState(name, locks.get(name)!)))
    },

    async addApproval(approval) {
      open()
      const key = `${approval.runId}\0${approval.stageId}`
      const list = (approvals.get(key) ?? []).filter((a) => approverKey(a.by) !== approverKey(approval.by))
      approvals.set(key, [...list, clone(approval)].sort((a, b) => a.at - b.at))
    },

    async listApprovals(runId, stageId) {
      open()
      const found = [...approvals.entries()].filter(([key]) => key.startsWith(`${runId}\0`) && (stageId === undefined || key === `${runId}\0${stageId}`)).flatMap(([, list]) => list)
      return clone(found.sort((a, b) => a.at - b.at))
    },

    async pruneRuns(filter) {
      open()
      let removed = 0
      for (const run of [...runs.values()]) {
        if (!PRUNABLE.has(run.status) || run.finishedAt === undefined || run.finishedAt >= filter.finishedBefore) continue
        if (filter.pipeline !== undefined && run.pipeline !== filter.pipeline) continue
        runs.delete(run.id)
        for (const map of [stages, events, logs, artifacts]) map.delete(run.id)
        for (const [key, entry] of records) if (entry.record.runId === run.id) records.delete(key)
        for (const key of approvals.keys()) if (key.startsWith(`${run.id}\0`)) approvals.delete(key)
        removed++
      }
      return { runs: removed }
    },

    async addHealthRecords(list) {
      open()
      health.push(...list.map((r) => clone(r)))
    },

    async listHealthRecords(filter = {}) {
      open()
      const found = health.map((r, i) => [r, i] as const).filter(([r]) => matchesHealthFilter(r, filter)).sort(([a, i], [b, j]) => b.at - a.at || j - i).map(([r]) => r)
      return clone(filter.limit !== undefined ? found.slice(0, filter.limit) : found)
    },

    async flush() {
      open()
    },

    async appendAudit(input) {
      open()
      const last = audit.at(-1)
      const entry = chainAuditEntry(input, last && { seq: last.seq, hash: last.hash })
      audit.push(entry)
      return clone(entry)
    },

    async listAudit(filter: AuditFilter = {}) {
      open()
      const selected = audit.filter((entry) => matchesAuditFilter(entry, filter))
      return clone(filter.limit === undefined ? selected : selected.slice(0, Math.max(0, filter.limit)))
    },

    async getAuditHead() {
      open()
      const last = audit.at(-1)
      return last && { seq: last.seq, hash: last.hash }
    },

    async close() {
      closed = true
    },
  }
  return store
}
