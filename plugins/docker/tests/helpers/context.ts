import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type {
  ExecOptions,
  ExecResult,
  GateContext,
  GitInfo,
  Logger,
  Resolver,
  RunRecords,
  StageContext,
  StageStatus,
  StoredArtifact,
} from '@pipewright/plugin-api'
import { PipewrightError } from '@pipewright/plugin-api'
import type { DockerPluginConfig } from '../../src/schemas.js'

/** Records shared by the stages of one simulated run, keyed by stage and kind. */
export type RecordBook = Map<string, unknown>

export interface TestStageOptions {
  workspace: string
  stageId?: string
  runId?: string
  env?: Record<string, string>
  secrets?: Record<string, string>
  git?: GitInfo
  /** A plugin loaded with loadTestPlugin: its services and config reach the context. */
  plugin?: { resolver: Resolver; config: DockerPluginConfig }
  records?: RecordBook
  signal?: AbortSignal
}

export interface TestStage {
  ctx: StageContext<DockerPluginConfig>
  /** Every line logged at info level and above, in order. */
  logs: string[]
  /** Debug lines. */
  debug: string[]
  outputs: Map<string, string>
  records: RecordBook
  artifactsDir: string
  summaries: string[]
}

function exec(cwd: string, env: Record<string, string>, signal: AbortSignal) {
  return (command: string | string[], options: ExecOptions = {}): Promise<ExecResult> => {
    const argv = typeof command === 'string' ? ['/bin/sh', '-c', command] : command
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd ?? cwd, env: { ...process.env, ...env, ...options.env }, signal })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.on('error', reject)
      child.on('close', (exitCode, sig) => {
        const result = { exitCode: exitCode ?? 1, signal: sig, stdout, stderr }
        if (options.check && result.exitCode !== 0) reject(new PipewrightError('PW_ERR_STAGE_FAILED', `${argv.join(' ')} exited ${result.exitCode}`))
        else resolve(result)
      })
      if (options.input !== undefined) child.stdin.end(options.input)
      else child.stdin.end()
    })
  }
}

function memoryRecords(book: RecordBook, stageId: string): RunRecords {
  return {
    async save(kind, data) {
      book.set(`${stageId}|${kind}`, structuredClone(data))
    },
    async get<T>(kind: string, query?: { stageId?: string }) {
      return book.get(`${query?.stageId ?? stageId}|${kind}`) as T | undefined
    },
    // One simulated run has no earlier runs.
    async previous() {
      return undefined
    },
    async history() {
      return []
    },
  }
}

const noResolver: Resolver = {
  resolve(token) {
    throw new PipewrightError('PW_ERR_SERVICE_NOT_FOUND', `No service ${String(token)} in this test context`)
  },
  isRegistered: () => false,
}

/**
 * A real StageContext without the engine: outputs in a map, artifacts written to a temp dir,
 * records in memory, a real AbortSignal, real processes for `exec`.
 */
export async function createTestStage(options: TestStageOptions): Promise<TestStage> {
  const stageId = options.stageId ?? 'build'
  const logs: string[] = []
  const outputs = new Map<string, string>()
  const records = options.records ?? new Map()
  const summaries: string[] = []
  const artifactsDir = await mkdtemp(join(tmpdir(), 'pw-docker-artifacts-'))
  const stored: StoredArtifact[] = []
  const secrets = options.secrets ?? {}
  const env = options.env ?? {}
  const signal = options.signal ?? new AbortController().signal
  const log = (line: string): void => {
    logs.push(line)
  }
  const debug: string[] = []
  const logger: Logger = { debug: (line) => void debug.push(line), info: log, warn: log, error: log }
  const resolver = options.plugin?.resolver ?? noResolver

  const ctx: StageContext<DockerPluginConfig> = {
    runId: options.runId ?? `run-${Date.now().toString(36)}`,
    pipeline: { name: 'docker-test', dir: options.workspace },
    git: options.git,
    logger,
    signal,
    pluginConfig: options.plugin?.config ?? {},
    resolve: (token) => resolver.resolve(token),
    emit: () => undefined,
    stageId,
    attempt: 1,
    workspace: options.workspace,
    env,
    matrix: {},
    secrets: { get: (name) => secrets[name], names: () => Object.keys(secrets) },
    outputs: {
      set: (key, value) => void outputs.set(key, String(value)),
      get: (key) => outputs.get(key),
      all: () => Object.fromEntries(outputs),
    },
    artifacts: {
      add: async () => {
        throw new Error('artifacts.add is not used by the docker plugin')
      },
      async write(name, content) {
        const file = join(artifactsDir, name)
        await mkdir(dirname(file), { recursive: true })
        await writeFile(file, content)
        const bytes = typeof content === 'string' ? Buffer.from(content) : content
        const artifact = { path: name, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length }
        stored.push(artifact)
        return artifact
      },
      list: () => [...stored],
    },
    records: memoryRecords(records, stageId),
    exec: exec(options.workspace, env, signal),
    summary: (text) => void summaries.push(text),
  }
  return { ctx, logs, debug, outputs, records, artifactsDir, summaries }
}

/** The context a gate on `stage` receives. */
export function gateContextOf(stage: TestStage, status: StageStatus = 'succeeded'): GateContext<DockerPluginConfig> {
  return { ...stage.ctx, stage: { id: stage.ctx.stageId, status, outputs: Object.fromEntries(stage.outputs) } }
}
