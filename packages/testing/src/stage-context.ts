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
  type StageContext,
  type StageStatus,
  type StoredArtifact,
  type StoredRecord,
  type Token,
} from '@pipewright/plugin-api'
import { execCommand } from './exec.js'
import { createMemoryArtifacts, createMemoryRecords } from './memory-services.js'

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
}

/** One captured line: what a stage logged or its commands printed, already redacted. */
export interface CapturedLine {
  stream: 'stdout' | 'stderr' | 'system'
  level?: 'debug' | 'info' | 'warn' | 'error'
  line: string
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

/** Replaces every secret value in a line with ***, longest first (so a secret containing another is hidden whole). */
export function redact(line: string, secrets: string[]): string {
  return secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length).reduce((text, s) => text.split(s).join('***'), line)
}

/**
 * A real `StageContext` without an engine, for unit-testing a stage's `run` function: commands
 * really run, artifacts and records are kept in memory, and everything is captured in `ctx.captured`.
 */
export function createStageContext<TPluginConfig = unknown>(options: StageContextOptions<TPluginConfig> = {}): TestStageContext<TPluginConfig> {
  const stageId = options.stageId ?? 'test'
  const runId = options.runId ?? 'run-test'
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'pipewright-stage-'))
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true })
    writeFileSync(join(workspace, path), content)
  }
  const secretValues = Object.values(options.secrets ?? {})
  const env = { ...options.env }
  const clock = options.clock ?? realClock
  const signal = options.signal ?? new AbortController().signal
  const artifacts = createMemoryArtifacts(workspace, stageId)
  const records = createMemoryRecords(runId, stageId, options.history)
  const captured: StageCapture = {
    lines: [],
    log: () => captured.lines.map((l) => l.line).join('\n'),
    outputs: {},
    summary: undefined,
    get artifacts() { return artifacts.list() },
    artifact: (path) => artifacts.contents.get(path),
    get records() { return records.saved },
    events: [],
  }
  const push = (stream: CapturedLine['stream'], line: string, level?: CapturedLine['level']) => {
    captured.lines.push({ stream, line: redact(line, secretValues), ...(level ? { level } : {}) })
  }
  const logAt = (level: NonNullable<CapturedLine['level']>) => (message: string, fields?: Record<string, unknown>) =>
    push('system', fields && Object.keys(fields).length > 0 ? `${message} ${JSON.stringify(fields)}` : message, level)
  const logger: Logger = { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') }
  const services = new Map<symbol, unknown>([[CLOCK, clock], [LOGGER, logger], [PLUGIN_CONFIG, options.pluginConfig], ...(options.services ?? [])])

  return {
    runId,
    pipeline: { name: options.pipelineName ?? 'test', dir: workspace },
    git: options.git,
    logger,
    signal,
    pluginConfig: options.pluginConfig as TPluginConfig,
    resolve<T>(token: Token<T>): T {
      if (!services.has(token)) {
        throw new PipewrightError('PW_ERR_SERVICE_NOT_FOUND', `Stage ${stageId}: no service registered for ${token.description ?? String(token)}`, {
          details: 'Pass it to createStageContext({ services: [[TOKEN, value]] }).',
        })
      }
      return services.get(token) as T
    },
    emit(name, payload) {
      captured.events.push({ type: name, payload })
    },
    stageId,
    attempt: options.attempt ?? 1,
    workspace,
    env,
    matrix: { ...options.matrix },
    secrets: { get: (name) => options.secrets?.[name], names: () => Object.keys(options.secrets ?? {}) },
    outputs: {
      set: (key, value) => { captured.outputs[key] = String(value) },
      get: (key) => captured.outputs[key],
      all: () => ({ ...captured.outputs }),
    },
    artifacts,
    records,
    exec: (command, execOptions = {}) =>
      execCommand(command, execOptions, { cwd: workspace, env, signal, stageId, onLine: (stream, line) => push(stream, line) }),
    summary(text) {
      captured.summary = text
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
