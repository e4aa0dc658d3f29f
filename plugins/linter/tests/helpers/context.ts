/**
 * A real StageContext / GateContext for testing the plugin without the engine: `exec` spawns
 * real processes, records live in an in-memory list shared by "runs", the signal is a real
 * AbortSignal. Only the engine's bookkeeping (store, event bus, log redaction) is left out.
 */
import { spawn } from 'node:child_process'
import {
  PipewrightError,
  type ExecOptions,
  type ExecResult,
  type GateContext,
  type Logger,
  type RecordQuery,
  type RunRecords,
  type StageContext,
  type StageStatus,
  type StoredRecord,
} from '@pipewright/plugin-api'

/** Records of several runs, so `previous()` can be exercised across runs. */
export class MemoryRecords {
  readonly all: StoredRecord[] = []
  private clock = 0

  forRun(runId: string, stageId: string): RunRecords {
    const matches = (r: StoredRecord, kind: string, query: RecordQuery | undefined, status: string | undefined): boolean =>
      r.kind === kind &&
      r.runId !== runId &&
      (query?.stageId === '*' || r.stageId === (query?.stageId ?? stageId)) &&
      (status === undefined || r.runStatus === status) &&
      (query?.branch === undefined || r.branch === query.branch)
    return {
      save: async (kind, data) => {
        // JSON round trip: what a store would keep, so nothing relies on object identity.
        this.all.push({ runId, stageId, kind, data: JSON.parse(JSON.stringify(data)), createdAt: ++this.clock, runStatus: 'running' })
      },
      get: async <T>(kind: string, query?: Pick<RecordQuery, 'stageId'>) =>
        this.all.findLast((r) => r.runId === runId && r.kind === kind && r.stageId === (query?.stageId ?? stageId))?.data as T | undefined,
      previous: async <T>(kind: string, query?: RecordQuery) =>
        this.all.findLast((r) => matches(r, kind, query, query?.runStatus ?? 'succeeded')) as StoredRecord<T> | undefined,
      history: async <T>(kind: string, query?: RecordQuery) =>
        this.all.filter((r) => matches(r, kind, query, query?.runStatus)).reverse().slice(0, query?.limit) as StoredRecord<T>[],
    }
  }

  /** Marks a run finished, as the engine does when the run ends. */
  finishRun(runId: string, status: 'succeeded' | 'failed'): void {
    for (const r of this.all) if (r.runId === runId) r.runStatus = status
  }
}

export interface TestStage {
  ctx: StageContext
  logs: string[]
  summaries: string[]
  /** Aborts the stage's signal, which kills running commands. */
  abort(): void
}

export interface TestStageOptions {
  workspace: string
  runId?: string
  stageId?: string
  records?: MemoryRecords
  secrets?: Record<string, string>
}

function exec(workspace: string, signal: AbortSignal, logs: string[]) {
  return (command: string | string[], options: ExecOptions = {}): Promise<ExecResult> =>
    new Promise((resolve, reject) => {
      const argv = typeof command === 'string' ? ['sh', '-c', command] : command
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: options.cwd ?? workspace,
        env: { ...process.env, ...options.env },
        signal,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      if (options.input !== undefined) child.stdin!.end(options.input)
      // Like the engine: a program that cannot be spawned exits 127, as in a shell.
      let spawnFailed = false
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') spawnFailed = true
        else if (error.name !== 'AbortError') reject(error)
      })
      child.on('close', (code, sig) => {
        if (spawnFailed) code = 127
        if (options.log !== false) logs.push(...`${stdout}${stderr}`.split('\n').filter(Boolean))
        const result = { exitCode: code ?? 1, signal: sig, stdout, stderr }
        if (options.check && result.exitCode !== 0) reject(new PipewrightError('PW_ERR_STAGE_FAILED', `${argv.join(' ')} exited with ${result.exitCode}`))
        else resolve(result)
      })
    })
}

export function createTestStage(options: TestStageOptions): TestStage {
  const runId = options.runId ?? 'run-1'
  const stageId = options.stageId ?? 'lint'
  const records = options.records ?? new MemoryRecords()
  const secrets = options.secrets ?? {}
  const controller = new AbortController()
  const logs: string[] = []
  const summaries: string[] = []
  const outputs = new Map<string, string>()
  const log = (level: string) => (message: string) => logs.push(`[${level}] ${message}`)
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
  const ctx: StageContext = {
    runId,
    stageId,
    attempt: 1,
    pipeline: { name: 'test', dir: options.workspace },
    git: undefined,
    logger,
    signal: controller.signal,
    pluginConfig: undefined,
    resolve: () => {
      throw new PipewrightError('PW_ERR_SERVICE_NOT_FOUND', 'The test context provides no services')
    },
    emit: () => {},
    workspace: options.workspace,
    env: {},
    matrix: {},
    secrets: { get: (name) => secrets[name], names: () => Object.keys(secrets) },
    outputs: {
      set: (key, value) => void outputs.set(key, String(value)),
      get: (key) => outputs.get(key),
      all: () => Object.fromEntries(outputs),
    },
    artifacts: {
      add: async () => [],
      write: async () => {
        throw new PipewrightError('PW_ERR_INTERNAL', 'The test context stores no artifacts')
      },
      list: () => [],
    },
    records: records.forRun(runId, stageId),
    exec: exec(options.workspace, controller.signal, logs),
    summary: (text) => void summaries.push(text),
  }
  return { ctx, logs, summaries, abort: () => controller.abort() }
}

/** The context a gate on that stage receives once the stage finished. */
export function createGateContext(stage: StageContext, status: StageStatus = 'succeeded'): GateContext {
  return { ...stage, stage: { id: stage.stageId, status, outputs: stage.outputs.all() } }
}
