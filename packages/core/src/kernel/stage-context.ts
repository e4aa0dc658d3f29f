import type {
  ArtifactWriter,
  Logger,
  OutputWriter,
  RecordQuery,
  Resolver,
  RunRecords,
  SecretReader,
  StageContext,
  StoredArtifact,
  StoredRecord,
} from '@pipewright/plugin-api'
import { PipewrightError } from '@pipewright/plugin-api'
import { execInStage } from '../exec/exec-in-stage.js'
import { redactDeep } from '../security/redact.js'
import type { RunSession } from './session.js'

/** What a stage context is built over: the stage's slot in the run (one per stage instance). */
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

/** Whose context it is: the plugin's resolver (its encapsulated services) and configuration. */
export interface ContextOwner {
  id: string
  resolver: Resolver
  config: unknown
}

export function createSecretReader(secrets: Map<string, string>): SecretReader {
  return { get: (name) => secrets.get(name), names: () => [...secrets.keys()] }
}

export function createStageLogger(session: RunSession, stageId: string): Logger {
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''
    session.log(stageId, level === 'error' || level === 'warn' ? 'stderr' : 'system', `${level === 'info' ? '' : `${level}: `}${message}${extra}`)
  }
  return { debug: () => {}, info: line('info'), warn: line('warn'), error: line('error') }
}

/** Builds the context a plugin's stage, gate or hook receives for one stage of a run. */
export function createStageContext(session: RunSession, slot: StageSlot, owner: ContextOwner, signal: AbortSignal = slot.signal): StageContext {
  const { input, redact } = session
  const outputs: OutputWriter = {
    set: (key, value) => {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw new PipewrightError('PW_ERR_PLUGIN_HOOK', `Plugin ${owner.id} set an invalid output name "${key}"`, { plugin: owner.id })
      slot.outputs.set(key, redact(String(value)))
    },
    get: (key) => slot.outputs.get(key),
    all: () => Object.fromEntries(slot.outputs),
  }
  const record = (a: StoredArtifact) => {
    slot.artifacts.push(a)
    session.artifactStored(slot.stageId, a)
  }
  const artifacts: ArtifactWriter = {
    add: async (patterns) => {
      const stored = await input.artifacts.collect(slot.workspace, Array.isArray(patterns) ? patterns : [patterns])
      for (const a of stored) record(a)
      return stored
    },
    write: async (name, content) => {
      const { digest, size } = await input.artifacts.storeContent(typeof content === 'string' ? redact(content) : content)
      const a = { path: name, digest, size }
      record(a)
      return a
    },
    list: () => [...slot.artifacts],
  }
  return {
    runId: session.runId,
    pipeline: input.pipeline,
    git: input.git,
    logger: createStageLogger(session, slot.stageId),
    signal,
    pluginConfig: owner.config,
    resolve: (token) => owner.resolver.resolve(token),
    // A plugin's own events reach listeners and the store: mask secrets in them like everything else.
    emit: (name, payload) => session.emit(name, redactDeep(payload, redact)),
    redact,
    stageId: slot.stageId,
    attempt: slot.attempt,
    workspace: slot.workspace,
    env: slot.env,
    matrix: slot.matrix,
    secrets: createSecretReader(input.secrets),
    outputs,
    artifacts,
    records: createRunRecords(session, slot.stageId),
    history: {
      deployments: async (query = {}) => session.input.store.listDeployments({ pipeline: session.input.pipeline.name, ...(query.environment ? { environment: query.environment } : {}), limit: Math.min(Math.max(query.limit ?? 50, 1), 500) }),
      approvals: async () => session.input.store.listApprovals(session.runId, slot.stageId),
    },
    exec: (command, options = {}) =>
      execInStage(command, options, {
        stageId: slot.stageId,
        cwd: slot.workspace,
        env: slot.env,
        signal,
        onLine: (stream, line) => session.log(slot.stageId, stream, line),
        redact,
      }),
    summary: (text) => {
      slot.summary = redact(text)
    },
  }
}

function createRunRecords(session: RunSession, stageId: string): RunRecords {
  const { store } = session.input
  const pipeline = session.input.pipeline.name
  const runId = session.runId
  const stageFilter = (q?: { stageId?: string }) => (q?.stageId === '*' ? {} : { stageId: q?.stageId ?? stageId })
  return {
    save: (kind, data) => session.input.recorder.saveRecord(stageId, kind, redactDeep(data, session.redact)),
    get: async <T>(kind: string, q?: { stageId?: string }) => {
      const [rec] = await store.findRecords({ pipeline, kind, runId, ...stageFilter(q), limit: 1 })
      return rec?.data as T | undefined
    },
    previous: async <T>(kind: string, q: RecordQuery = {}) => {
      const [rec] = await store.findRecords({
        pipeline,
        kind,
        excludeRunId: runId,
        ...stageFilter(q),
        ...(q.branch ? { branch: q.branch } : {}),
        runStatus: q.runStatus ?? 'succeeded',
        limit: 1,
      })
      return rec as StoredRecord<T> | undefined
    },
    history: async <T>(kind: string, q: RecordQuery = {}) =>
      (await store.findRecords({
        pipeline,
        kind,
        excludeRunId: runId,
        ...stageFilter(q),
        ...(q.branch ? { branch: q.branch } : {}),
        ...(q.runStatus ? { runStatus: q.runStatus } : {}),
        limit: q.limit ?? 50,
      })) as StoredRecord<T>[],
  }
}
