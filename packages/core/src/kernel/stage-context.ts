import type {
  ArtifactWriter,
  GitInfo,
  Logger,
  OutputWriter,
  PipewrightEvents,
  RecordQuery,
  Resolver,
  RunRecords,
  SecretReader,
  StageContext,
  StoredArtifact,
  StoredRecord,
} from '@pipewright/plugin-api'
import { PipewrightError } from '@pipewright/plugin-api'
import type { Store } from '@pipewright/store-api'
import type { ArtifactStore } from '../artifacts/artifact-store.js'
import { execInStage } from '../exec/exec-in-stage.js'
import { redactDeep, type Redactor } from '../security/redact.js'

/** What the run gives every stage context it builds. */
export interface RunServices {
  runId: string
  pipeline: { name: string; file?: string; dir: string }
  git: GitInfo | undefined
  store: Store
  artifacts: ArtifactStore
  secrets: Map<string, string>
  redact: Redactor
  emit<K extends keyof PipewrightEvents>(name: K, payload: PipewrightEvents[K]): void
  log(stageId: string, stream: 'stdout' | 'stderr' | 'system', line: string): void
  onArtifact(stageId: string, artifact: StoredArtifact): void
  onSummary(stageId: string, summary: string): void
}

export interface StageSlot {
  stageId: string
  attempt: number
  workspace: string
  env: Record<string, string>
  matrix: Record<string, string | number | boolean>
  signal: AbortSignal
  outputs: Map<string, string>
  artifacts: StoredArtifact[]
  summary?: string
}

export function createSecretReader(secrets: Map<string, string>): SecretReader {
  return { get: (name) => secrets.get(name), names: () => [...secrets.keys()] }
}

export function createStageLogger(run: RunServices, stageId: string, prefix = ''): Logger {
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''
    run.log(stageId, level === 'error' || level === 'warn' ? 'stderr' : 'system', `${prefix}${level === 'info' ? '' : `${level}: `}${message}${extra}`)
  }
  return { debug: () => {}, info: line('info'), warn: line('warn'), error: line('error') }
}

/** Builds the context a plugin stage's `run` (and its gates) receive. */
export function createStageContext(run: RunServices, slot: StageSlot, plugin: { resolver: Resolver; config: unknown; id: string }, signal: AbortSignal = slot.signal): StageContext {
  const logger = createStageLogger(run, slot.stageId)
  const outputs: OutputWriter = {
    set: (key, value) => {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw new PipewrightError('PW_ERR_PLUGIN_HOOK', `Plugin ${plugin.id} set an invalid output name "${key}"`)
      slot.outputs.set(key, run.redact(String(value)))
    },
    get: (key) => slot.outputs.get(key),
    all: () => Object.fromEntries(slot.outputs),
  }
  const artifacts: ArtifactWriter = {
    add: async (patterns) => {
      const stored = await run.artifacts.collect(slot.workspace, Array.isArray(patterns) ? patterns : [patterns])
      for (const a of stored) record(a)
      return stored
    },
    write: async (name, content) => {
      const { digest, size } = await run.artifacts.storeContent(typeof content === 'string' ? run.redact(content) : content)
      const a = { path: name, digest, size }
      record(a)
      return a
    },
    list: () => [...slot.artifacts],
  }
  const record = (a: StoredArtifact) => {
    slot.artifacts.push(a)
    run.onArtifact(slot.stageId, a)
  }
  return {
    runId: run.runId,
    pipeline: run.pipeline,
    git: run.git,
    logger,
    signal,
    pluginConfig: plugin.config,
    resolve: (token) => plugin.resolver.resolve(token),
    // A plugin's own events reach listeners and the store: mask secrets in them like everything else.
    emit: (name, payload) => run.emit(name, redactDeep({ ...payload, runId: run.runId, at: Date.now() }, run.redact) as never),
    redact: run.redact,
    stageId: slot.stageId,
    attempt: slot.attempt,
    workspace: slot.workspace,
    env: slot.env,
    matrix: slot.matrix,
    secrets: createSecretReader(run.secrets),
    outputs,
    artifacts,
    records: createRunRecords(run, slot.stageId),
    exec: (command, options = {}) =>
      execInStage(command, options, {
        stageId: slot.stageId,
        cwd: slot.workspace,
        env: slot.env,
        signal,
        onLine: (stream, line) => run.log(slot.stageId, stream, line),
        redact: run.redact,
      }),
    summary: (text) => {
      slot.summary = run.redact(text)
    },
  }
}

function createRunRecords(run: RunServices, stageId: string): RunRecords {
  const pipeline = run.pipeline.name
  const stageFilter = (q?: { stageId?: string }) => (q?.stageId === '*' ? {} : { stageId: q?.stageId ?? stageId })
  return {
    save: async (kind, data) => {
      await run.store.saveRecord(pipeline, { runId: run.runId, stageId, kind, data: redactDeep(data, run.redact), createdAt: Date.now() })
    },
    get: async <T>(kind: string, q?: { stageId?: string }) => {
      const [rec] = await run.store.findRecords({ pipeline, kind, runId: run.runId, ...stageFilter(q), limit: 1 })
      return rec?.data as T | undefined
    },
    previous: async <T>(kind: string, q: RecordQuery = {}) => {
      const [rec] = await run.store.findRecords({
        pipeline,
        kind,
        excludeRunId: run.runId,
        ...stageFilter(q),
        ...(q.branch ? { branch: q.branch } : {}),
        runStatus: q.runStatus ?? 'succeeded',
        limit: 1,
      })
      return rec as StoredRecord<T> | undefined
    },
    history: async <T>(kind: string, q: RecordQuery = {}) =>
      (await run.store.findRecords({
        pipeline,
        kind,
        excludeRunId: run.runId,
        ...stageFilter(q),
        ...(q.branch ? { branch: q.branch } : {}),
        ...(q.runStatus ? { runStatus: q.runStatus } : {}),
        limit: q.limit ?? 50,
      })) as StoredRecord<T>[],
  }
}
