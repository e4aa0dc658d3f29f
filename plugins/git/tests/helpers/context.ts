import { spawn } from 'node:child_process'
import { PipewrightError, type ExecOptions, type ExecResult, type Logger, type RecordQuery, type RunRecords, type StageContext, type StoredRecord } from '@pipewright/plugin-api'

/**
 * Records of several "runs" in memory, shared between the contexts of one test so that
 * `records.previous()` sees what an earlier run saved once it is marked finished.
 */
export class MemoryRecords {
  private readonly finished: StoredRecord[] = []
  private pending: StoredRecord[] = []

  forRun(runId: string, stageId: string): RunRecords {
    const matches = (r: StoredRecord, kind: string, query: RecordQuery = {}) =>
      r.kind === kind &&
      (query.stageId === '*' || r.stageId === (query.stageId ?? stageId)) &&
      (!query.branch || r.branch === query.branch) &&
      r.runStatus === (query.runStatus ?? 'succeeded')
    return {
      save: async (kind, data) => {
        this.pending.push({ runId, stageId, kind, data: structuredClone(data), createdAt: Date.now(), runStatus: 'running' })
      },
      get: async <T,>(kind: string, query?: Pick<RecordQuery, 'stageId'>) =>
        this.pending.find((r) => r.runId === runId && r.kind === kind && r.stageId === (query?.stageId ?? stageId))?.data as T | undefined,
      previous: async <T,>(kind: string, query?: RecordQuery) =>
        [...this.finished].reverse().find((r) => r.runId !== runId && matches(r, kind, query)) as StoredRecord<T> | undefined,
      history: async <T,>(kind: string, query?: RecordQuery) =>
        [...this.finished].reverse().filter((r) => r.runId !== runId && matches(r, kind, { runStatus: r.runStatus, ...query })).slice(0, query?.limit ?? Infinity) as StoredRecord<T>[],
    }
  }

  /** Marks the pending records of a run with its final status, as the engine does at run end. */
  finishRun(runId: string, status: 'succeeded' | 'failed'): void {
    for (const r of this.pending.filter((p) => p.runId === runId)) this.finished.push({ ...r, runStatus: status })
    this.pending = this.pending.filter((p) => p.runId !== runId)
  }
}

export interface TestStage {
  ctx: StageContext
  /** Every logger line and every exec output line, unredacted (so tests can look for leaks). */
  logs: string[]
  outputs: Map<string, string>
  summaries: string[]
  controller: AbortController
}

let runCounter = 0

/**
 * A real StageContext for stage tests before (and besides) the engine: `exec` spawns real
 * processes, outputs and records live in memory, the AbortSignal is real. Nothing is redacted,
 * so a test can prove the plugin never printed a secret itself.
 */
export function createTestStage(options: {
  workspace: string
  stageId?: string
  pipelineDir?: string
  secrets?: Record<string, string>
  records?: MemoryRecords
  runId?: string
}): TestStage {
  const logs: string[] = []
  const outputs = new Map<string, string>()
  const summaries: string[] = []
  const controller = new AbortController()
  const stageId = options.stageId ?? 'stage'
  const runId = options.runId ?? `run-${++runCounter}`
  const records = options.records ?? new MemoryRecords()
  const secrets = options.secrets ?? {}
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    logs.push(`${level} ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`)
  }
  const logger: Logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
  const ctx: StageContext = {
    runId,
    pipeline: { name: 'test', dir: options.pipelineDir ?? options.workspace },
    git: undefined,
    logger,
    signal: controller.signal,
    pluginConfig: {},
    resolve: () => {
      throw new PipewrightError('PW_ERR_SERVICE_NOT_FOUND', 'The test context registers no services')
    },
    emit: () => undefined,
    stageId,
    attempt: 1,
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
    exec: (command, execOptions) => exec(command, execOptions, controller.signal, logs),
    summary: (text) => void summaries.push(text),
  }
  return { ctx, logs, outputs, summaries, controller }
}

function exec(command: string | string[], options: ExecOptions = {}, signal: AbortSignal, logs: string[]): Promise<ExecResult> {
  const argv = Array.isArray(command) ? command : ['sh', '-c', command]
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: { ...process.env, ...options.env }, signal, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (exitCode, sig) => {
      if (options.log !== false) logs.push(...`${stdout}${stderr}`.split('\n').filter(Boolean))
      const result = { exitCode: exitCode ?? -1, signal: sig, stdout, stderr }
      if (options.check && result.exitCode !== 0) reject(new PipewrightError('PW_ERR_STAGE_FAILED', `${argv.join(' ')} exited with ${result.exitCode}`))
      else resolve(result)
    })
    // A process that exits without reading stdin closes the pipe: that is not an error.
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input ?? '')
  })
}
