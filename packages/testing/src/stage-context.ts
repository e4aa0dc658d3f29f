import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  CLOCK,
  LOGGER,
  PLUGIN_CONFIG,
  PipewrightError,
  type Clock,
  type GateContext,
  type GitInfo,
  type Logger,
  type Resolver,
  type StageContext,
  type StageStatus,
  type StoredArtifact,
  type StoredRecord,
  type Token,
} from '@pipewright/plugin-api'
import { createRedactor, execInStage, redactDeep } from '@pipewright/core'
import { createMemoryArtifacts } from './memory-services.js'
import { createRecordBook, type RecordBook } from './record-book.js'

export interface StageContextOptions<TPluginConfig = unknown> {
  stageId?: string
  runId?: string
  pipelineName?: string
  /** Directory the stage works in; default a fresh temp dir. */
  workspace?: string
  /** Files to write into the workspace first (relative path → content). */
  files?: Record<string, string>
  env?: Record<string, string>
  secrets?: Record<string, string>
  matrix?: Record<string, string | number | boolean>
  attempt?: number
  pluginConfig?: TPluginConfig
  git?: GitInfo
  clock?: Clock
  signal?: AbortSignal
  /** Extra services for `ctx.resolve(token)`. */
  services?: Array<[Token<any>, unknown]>
  /** Records earlier runs saved, newest first, for `ctx.records.previous/history`. */
  history?: StoredRecord[]
  /**
   * A record book shared with other contexts (see `createRecordBook`): stages of one run read each
   * other's records, and a later run's `previous()` sees an earlier one once it is finished.
   * Without `runId`, each context gets a fresh run id from the book. Overrides `history`.
   */
  records?: RecordBook
  /**
   * A plugin as `inspectPlugin` returns it (or any `{ config, resolver }`): its config becomes
   * `ctx.pluginConfig` and the services it provides resolve through `ctx.resolve`.
   */
  plugin?: { config: unknown; resolver: Resolver }
  /**
   * `false` keeps everything as the plugin produced it, so a test can prove the plugin itself never
   * prints or stores a secret. By default secrets are masked where the engine masks them: log
   * lines, outputs, summary, records and written artifacts.
   */
  redact?: boolean
}

/** One captured line: what a stage logged or its commands printed, already redacted. */
export interface CapturedLine {
  stream: 'stdout' | 'stderr' | 'system'
  level?: 'debug' | 'info' | 'warn' | 'error'
  /** The text; for a logger call its message followed by the fields as JSON. */
  line: string
  /** For a logger call: the message alone, and the fields it was given. */
  message?: string
  fields?: Record<string, unknown>
}

/** Everything a stage did that a test wants to look at. */
export interface StageCapture {
  lines: CapturedLine[]
  /** The log as text, one line each. */
  log(): string
  outputs: Record<string, string>
  summary: string | undefined
  artifacts: StoredArtifact[]
  /** Content of a stored artifact by path or name. */
  artifact(path: string): Buffer | undefined
  records: StoredRecord[]
  events: Array<{ type: string; payload: unknown }>
}

export type TestStageContext<TPluginConfig = unknown> = StageContext<TPluginConfig> & { readonly captured: StageCapture }
export type TestGateContext<TPluginConfig = unknown> = GateContext<TPluginConfig> & { readonly captured: StageCapture }

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason) }, { once: true })
  }),
}

/**
 * Masks every secret in a line exactly as the engine does (core's `createRedactor`): plain,
 * each line of a multiline secret, base64 at any alignment, URL-encoded.
 */
export function redact(line: string, secrets: string[]): string {
  return createRedactor(secrets)(line)
}

/**
 * A real `StageContext` without an engine, for unit-testing a stage's `run` function: commands
 * really run, artifacts and records are kept in memory, and everything is captured in `ctx.captured`.
 */
export function createStageContext<TPluginConfig = unknown>(options: StageContextOptions<TPluginConfig> = {}): TestStageContext<TPluginConfig> {
  const stageId = options.stageId ?? 'test'
  const book = options.records ?? createRecordBook({ history: options.history ?? [] })
  const runId = options.runId ?? (options.records ? book.nextRunId() : 'run-test')
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'pipewright-stage-'))
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true })
    writeFileSync(join(workspace, path), content)
  }
  // `ctx.redact` is always the engine's redactor; `redact: false` only stops the kit from masking
  // what the plugin hands over (logs, outputs, records) on its own.
  const engineRedact = createRedactor(Object.values(options.secrets ?? {}))
  const mask = options.redact === false ? (text: string) => text : engineRedact
  const env = { ...options.env }
  const clock = options.clock ?? realClock
  const signal = options.signal ?? new AbortController().signal
  const artifacts = createMemoryArtifacts(workspace, stageId, mask)
  const stageRecords = book.forStage(runId, stageId, { branch: options.git?.branch, sha: options.git?.sha, now: () => clock.now() })
  const records: StageContext['records'] = {
    ...stageRecords,
    save: (kind, data) => stageRecords.save(kind, options.redact === false ? data : redactDeep(data, mask)),
  }
  const captured: StageCapture = {
    lines: [],
    log: () => captured.lines.map((l) => l.line).join('\n'),
    outputs: {},
    summary: undefined,
    get artifacts() { return artifacts.list() },
    artifact: (path) => artifacts.contents.get(path),
    get records() { return stageRecords.saved },
    events: [],
  }
  const push = (stream: CapturedLine['stream'], line: string) => void captured.lines.push({ stream, line: mask(line) })
  const logAt = (level: NonNullable<CapturedLine['level']>) => (message: string, fields?: Record<string, unknown>) => {
    const hasFields = fields !== undefined && Object.keys(fields).length > 0
    const line = hasFields ? `${message} ${JSON.stringify(fields)}` : message
    captured.lines.push({ stream: 'system', line: mask(line), level, message: mask(message), ...(hasFields ? { fields: redactDeep(fields, mask) } : {}) })
  }
  const logger: Logger = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') }
  const pluginConfig = (options.plugin ? options.plugin.config : options.pluginConfig) as TPluginConfig
  const services = new Map<symbol, unknown>([[CLOCK, clock], [LOGGER, logger], [PLUGIN_CONFIG, pluginConfig], ...(options.services ?? [])])

  return {
    runId,
    pipeline: { name: options.pipelineName ?? 'test', dir: workspace },
    git: options.git,
    logger,
    signal,
    pluginConfig,
    resolve<T>(token: Token<T>): T {
      if (services.has(token)) return services.get(token) as T
      if (options.plugin?.resolver.isRegistered(token)) return options.plugin.resolver.resolve(token)
      throw new PipewrightError('PW_ERR_SERVICE_NOT_FOUND', `Stage ${stageId}: no service registered for ${token.description ?? String(token)}`, {
        details: 'Pass it to createStageContext({ services: [[TOKEN, value]] }), or pass the plugin that provides it as `plugin`.',
      })
    },
    emit(name, payload) {
      captured.events.push({ type: name, payload: options.redact === false ? { ...payload, runId, at: Date.now() } : redactDeep({ ...payload, runId, at: Date.now() }, mask) })
    },
    redact: engineRedact,
    stageId,
    attempt: options.attempt ?? 1,
    workspace,
    env,
    matrix: { ...options.matrix },
    secrets: { get: (name) => options.secrets?.[name], names: () => Object.keys(options.secrets ?? {}) },
    outputs: {
      set: (key, value) => { captured.outputs[key] = mask(String(value)) },
      get: (key) => captured.outputs[key],
      all: () => ({ ...captured.outputs }),
    },
    artifacts,
    records,
    exec: (command, execOptions = {}) =>
      // The engine's own exec; the stage env sits on top of this process's env, as in a run.
      execInStage(command, execOptions, { cwd: workspace, env: { ...processEnv(), ...env }, signal, stageId, redact: mask, onLine: push }),
    summary(text) {
      captured.summary = mask(text)
    },
    captured,
  }
}

/** Like `createStageContext`, for a gate's `evaluate`: adds the gated stage's id, status and outputs. */
export function createGateContext<TPluginConfig = unknown>(
  options: StageContextOptions<TPluginConfig> & { stage?: { id?: string; status?: StageStatus; outputs?: Record<string, string> } } = {},
): TestGateContext<TPluginConfig> {
  const ctx = createStageContext(options)
  const stage = { id: options.stage?.id ?? ctx.stageId, status: options.stage?.status ?? ('succeeded' as const), outputs: { ...options.stage?.outputs } }
  return Object.assign(ctx, { stage })
}

/**
 * The context a gate on a stage that already ran receives, as the engine builds it: the stage's
 * own context (same run, records and captures) plus the stage's id, `status` and outputs.
 */
export function gateContextFor<TPluginConfig = unknown>(ctx: TestStageContext<TPluginConfig>, status: StageStatus = 'succeeded'): TestGateContext<TPluginConfig> {
  return { ...ctx, stage: { id: ctx.stageId, status, outputs: { ...ctx.captured.outputs } } }
}

function processEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v
  return env
}
