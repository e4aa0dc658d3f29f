import { spawn } from 'node:child_process'
import type { ExecResult, GateContext, GitInfo, Logger, RecordQuery, RunRecords, StageContext, StageStatus, StoredRecord } from '@pipewright/plugin-api'
import { PipewrightError } from '@pipewright/plugin-api'

/**
 * A real StageContext without the engine: commands are spawned for real (argv, or `sh -c` for a
 * string, as the engine does), outputs/summary/logs are captured, and records live in an
 * in-memory store that several "runs" can share so history and previous() work.
 */
export interface RecordStore {
  entries: StoredRecord[]
  /** Marks a run finished, so `previous()` (successful runs only) can see it. */
  finishRun(runId: string, status: 'succeeded' | 'failed'): void
}

export function createRecordStore(): RecordStore {
  const entries: StoredRecord[] = []
  return {
    entries,
    finishRun(runId, status) {
      for (const e of entries) if (e.runId === runId) e.runStatus = status
    },
  }
}

let clock = 0

function recordsFor(store: RecordStore, runId: string, stageId: string, branch: string | undefined): RunRecords {
  const earlier = (kind: string, query: RecordQuery = {}, defaultStatus?: string) => {
    const stage = query.stageId ?? stageId
    const status = query.runStatus ?? defaultStatus
    return store.entries
      .filter((e) => e.kind === kind && e.runId !== runId && (stage === '*' || e.stageId === stage))
      .filter((e) => (query.branch === undefined || e.branch === query.branch) && (status === undefined || e.runStatus === status))
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, query.limit ?? Infinity)
  }
  return {
    async save(kind, data) {
      // Through JSON, as a real store would: nothing but plain data survives.
      const entry: StoredRecord = { runId, stageId, kind, data: JSON.parse(JSON.stringify(data)), createdAt: ++clock, runStatus: 'running' }
      if (branch !== undefined) entry.branch = branch
      store.entries.push(entry)
    },
    async get<T>(kind: string, query: { stageId?: string } = {}) {
      const found = store.entries.filter((e) => e.kind === kind && e.runId === runId && e.stageId === (query.stageId ?? stageId)).at(-1)
      return found?.data as T | undefined
    },
    async previous<T>(kind: string, query?: RecordQuery) {
      return earlier(kind, query, 'succeeded')[0] as StoredRecord<T> | undefined
    },
    async history<T>(kind: string, query?: RecordQuery) {
      return earlier(kind, query) as StoredRecord<T>[]
    },
  }
}

export interface TestContextOptions {
  workspace: string
  runId?: string
  stageId?: string
  branch?: string
  env?: Record<string, string>
  secrets?: Record<string, string>
  store?: RecordStore
  signal?: AbortSignal
}

export interface Captured {
  log: string[]
  outputs: Record<string, string>
  summaries: string[]
}

export type TestStageContext = StageContext & { captured: Captured; store: RecordStore }

export function createStageContext(options: TestContextOptions): TestStageContext {
  const runId = options.runId ?? `run-${++clock}`
  const stageId = options.stageId ?? 'test'
  const store = options.store ?? createRecordStore()
  const captured: Captured = { log: [], outputs: {}, summaries: [] }
  const line = (level: string) => (message: string) => void captured.log.push(`[${level}] ${message}`)
  const logger: Logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
  const git: GitInfo | undefined = options.branch ? { sha: 'f'.repeat(40), shortSha: 'fffffff', branch: options.branch, message: 'test', author: 'test', root: options.workspace } : undefined
  const env = { ...options.env }
  const signal = options.signal ?? new AbortController().signal
  return {
    runId,
    pipeline: { name: 'test', dir: options.workspace },
    git,
    logger,
    signal,
    pluginConfig: undefined,
    resolve: () => {
      throw new PipewrightError('PW_ERR_SERVICE_NOT_FOUND', 'no services in the test context')
    },
    emit: () => {},
    stageId,
    attempt: 1,
    workspace: options.workspace,
    env,
    matrix: {},
    secrets: { get: (n) => options.secrets?.[n], names: () => Object.keys(options.secrets ?? {}) },
    outputs: {
      set: (k, v) => void (captured.outputs[k] = String(v)),
      get: (k) => captured.outputs[k],
      all: () => ({ ...captured.outputs }),
    },
    artifacts: {
      add: async () => [],
      write: async (name) => ({ path: name, digest: 'sha256:0', size: 0 }),
      list: () => [],
    },
    records: recordsFor(store, runId, stageId, options.branch),
    exec: (command, execOptions = {}) => run(command, { cwd: execOptions.cwd ?? options.workspace, env: { ...env, ...execOptions.env }, signal, onLine: (l) => captured.log.push(l) }),
    summary: (text) => void captured.summaries.push(text),
    captured,
    store,
  }
}

/** A gate context for the stage that `stageCtx` ran, as the engine builds it after the stage. */
export function createGateContext(stageCtx: TestStageContext, status: StageStatus = 'succeeded'): GateContext {
  return { ...stageCtx, stage: { id: stageCtx.stageId, status, outputs: { ...stageCtx.captured.outputs } } }
}


function run(command: string | string[], o: { cwd: string; env: Record<string, string>; signal: AbortSignal; onLine: (line: string) => void }): Promise<ExecResult> {
  const [file, args] = typeof command === 'string' ? ['sh', ['-c', command]] : [command[0]!, command.slice(1)]
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: o.cwd, env: { ...process.env, ...o.env }, signal: o.signal, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
      for (const l of d.toString().split('\n')) if (l) o.onLine(l)
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d
      for (const l of d.toString().split('\n')) if (l) o.onLine(l)
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ exitCode: code ?? 1, signal, stdout, stderr }))
  })
}
