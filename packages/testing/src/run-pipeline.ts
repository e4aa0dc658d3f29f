import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createEngine, createMemoryStore, type LogLine, type PluginInput, type RunResult, type RunsApi, type StageResult, type Store } from '@pipewright/core'
import { PipewrightError, type Clock, type EventName, type GateVerdict, type PipewrightEvent, type PipewrightEvents } from '@pipewright/plugin-api'

export interface RunPipelineOptions {
  /** The pipeline: an object (written as JSON, which is YAML) or YAML text. */
  pipeline: Record<string, unknown> | string
  /** Files to write into the run directory first (relative path → content). */
  files?: Record<string, string>
  /**
   * Plugins to load: plugin objects, package names or paths. Names and relative paths resolve from
   * `cwd`, not from the run directory (a pipeline's own `plugins:` list resolves from the run
   * directory, as the engine does next to a real pipeline file).
   */
  plugins?: PluginInput[]
  /** Directory plugin package names and relative paths in `plugins` resolve from (default `process.cwd()`, usually the package under test). */
  cwd?: string
  secrets?: Record<string, string>
  vars?: Record<string, string>
  clock?: Clock
  /** Extra environment for stages, on top of process.env. */
  env?: Record<string, string>
  /** Make the run directory a git repository with one commit of the files (for plugins reading `ctx.git`). */
  git?: boolean
  /** Cancels the run. */
  signal?: AbortSignal
}

/** One gate verdict, as recorded by `gate:evaluated`. */
export interface GateOutcome {
  gate: string
  verdict: GateVerdict
  reason: string
  evidence: unknown
}

/** A finished run, with everything a test wants to assert on. */
export interface PipelineRun {
  result: RunResult
  /** Every event of the run, in order, including those plugins declare and emit themselves. */
  events: PipewrightEvent[]
  /** Payloads of one event type. */
  eventsOf<K extends EventName>(type: K): Array<PipewrightEvents[K]>
  /** A stage's log lines (stdout, stderr and system), redacted as the engine stored them. */
  logs(stageId: string): string[]
  /** A stage's result; throws listing the stage ids if there is none. */
  stage(stageId: string): StageResult
  /** The verdicts of the gates attached to a stage. */
  gates(stageId: string): GateOutcome[]
  /** The temp directory the pipeline ran in. */
  dir: string
  /** The memory store, still readable (records, artifacts, state). */
  store: Store
  /** The engine's read API over that store (stages, logs, events, artifacts of the run). */
  runs: RunsApi
  /** Removes the run directory. */
  cleanup(): Promise<void>
}

const PIPELINE_FILE = 'pipewright.yml'

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    if (path.startsWith('/') || path.split(/[\\/]/).includes('..')) {
      throw new PipewrightError('PW_ERR_PATH_ESCAPE', `runPipeline: file "${path}" must be a relative path inside the run directory`)
    }
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
}

function initGit(dir: string): void {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com' } })
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-q', '--no-gpg-sign', '-m', 'initial commit')
}

/**
 * Runs a pipeline for real: writes it and `files` to a fresh temp dir, loads `plugins` (resolving
 * names and relative paths from `cwd`) into a real engine with a memory store, waits for the run to
 * finish and returns what happened with every event it emitted. Invalid
 * pipelines reject with the engine's PipewrightError (e.g. PW_ERR_CONFIG_INVALID).
 */
export async function runPipeline(options: RunPipelineOptions): Promise<PipelineRun> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'pipewright-run-')))
  const cleanup = () => rm(dir, { recursive: true, force: true })
  try {
    const text = typeof options.pipeline === 'string' ? options.pipeline : `${JSON.stringify(options.pipeline, null, 2)}\n`
    await writeFiles(dir, { ...options.files, [PIPELINE_FILE]: text })
    if (options.git) initGit(dir)
    const store = createMemoryStore()
    const engine = createEngine({
      plugins: options.plugins ?? [],
      store,
      // The temp dir has no node_modules: the kit's plugins resolve where the test author's do.
      cwd: options.cwd ?? process.cwd(),
      ...(options.clock ? { clock: options.clock } : {}),
      env: { ...process.env, ...options.env },
    })
    const live: PipewrightEvent[] = []
    engine.onAny((type, payload) => live.push({ type, payload } as PipewrightEvent))
    let result: RunResult
    try {
      const handle = await engine.run(join(dir, PIPELINE_FILE), {
        ...(options.vars ? { vars: options.vars } : {}),
        ...(options.secrets ? { secrets: options.secrets } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        trigger: 'test',
      })
      result = await handle.result
    } finally {
      await engine.close()
    }
    // Logs as the engine persisted them (redacted), which is what users later see.
    const logs = await engine.runs.logs(result.id)
    return buildRun(result, live, logs, dir, store, engine.runs, cleanup)
  } catch (error) {
    await cleanup()
    throw error
  }
}

function buildRun(result: RunResult, events: PipewrightEvent[], logs: LogLine[], dir: string, store: Store, runs: RunsApi, cleanup: () => Promise<void>): PipelineRun {
  const eventsOf = <K extends EventName>(type: K) => events.filter((e) => e.type === type).map((e) => e.payload) as Array<PipewrightEvents[K]>
  return {
    result,
    events,
    eventsOf,
    logs: (stageId) => logs.filter((l) => l.stageId === stageId).map((l) => l.line),
    stage(stageId) {
      const stage = result.stages.find((s) => s.id === stageId)
      if (!stage) {
        throw new PipewrightError('PW_ERR_STAGE_NOT_FOUND', `Run ${result.id} has no stage "${stageId}"`, {
          details: `Its stages are: ${result.stages.map((s) => s.id).join(', ') || '(none)'}.`,
        })
      }
      return stage
    },
    gates: (stageId) => eventsOf('gate:evaluated').filter((g) => g.stageId === stageId).map(({ gate, verdict, reason, evidence }) => ({ gate, verdict, reason, evidence })),
    dir,
    store,
    runs,
    cleanup,
  }
}
