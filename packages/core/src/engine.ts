import 'reflect-metadata'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { availableParallelism, hostname, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { CLOCK, EVENTS, PipewrightError, isPipewrightError, type Clock, type Logger, type Problem, type PipewrightEvents } from '@pipewright/plugin-api'
import { createContainer } from './di.js'
import { EventBus } from './events.js'
import { PluginHost } from './plugins/host.js'
import { checkPins, lockFileFor, pinStatuses } from './plugins/lockfile.js'
import { importDeclared, locateDeclared, pinnablePackage, refSpec, resolvePluginInput } from './plugins/inputs.js'
import type { ResolvedPlugin } from './plugins/resolve.js'
import { realClock } from './runtime/clock.js'
import { readPipelineFile, type SourceLocator } from './spec/load.js'
import { planPipeline, type Plan } from './spec/plan.js'
import type { PipelineSpec, PluginRef } from './spec/schema.js'
import { validatePipeline, type UsesRegistry } from './spec/validate.js'
import { createMemoryStore } from './store/memory.js'
import type { RunRecord, StageRecord, Store } from './store/types.js'
import { ArtifactStore } from './runtime/artifacts.js'
import { Execution } from './runtime/execution.js'
import { externalNeeds } from './runtime/external-needs.js'
import { readGitInfo } from './runtime/git-info.js'
import { isProcessAlive, markInterruptedRuns } from './runtime/interrupted.js'
import { RunRecorder } from './runtime/recorder.js'
import { createRedactor } from './runtime/redact.js'
import { SECRET_ENV_PREFIX, loadSecrets } from './runtime/secrets.js'
import type { RunServices } from './runtime/stage-context.js'
import type { Engine, EngineOptions, LoadedPipeline, PluginInput, PluginPins, RunHandle, RunOptions, RunResult } from './types.js'

/** What a run stores as its plan: the expanded DAG plus the pipeline it came from (for resume). */
interface StoredPlan extends Plan {
  spec: PipelineSpec
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }


function apiPackageVersion(): string {
  const require = createRequire(import.meta.url)
  return (JSON.parse(readFileSync(require.resolve('@pipewright/plugin-api/package.json'), 'utf8')) as { version: string }).version
}

/**
 * A run id: the start time in base 36, a dash, six random hex digits (`mx2mt967-da4c3e`), so ids
 * sort by time and a short prefix finds a run. `at` and `random` fix both parts (help examples, tests).
 */
export function newRunId(at: number = Date.now(), random: Uint8Array = randomBytes(3)): string {
  return `${at.toString(36)}-${Buffer.from(random).toString('hex')}`
}

/** Creates an engine: the public entry point for the CLI and for services that embed Pipewright. */
export function createEngine(options: EngineOptions = {}): Engine {
  return new PipewrightEngine(options)
}

class PipewrightEngine extends EventBus implements Engine {
  readonly store: Store
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly container = createContainer()
  private readonly host: PluginHost
  private readonly ready: Promise<void>
  private readonly env: Record<string, string | undefined>
  private readonly active = new Set<Promise<unknown>>()
  /** Artifact files when the store keeps none (memory store): one dir for the engine's life, so cache hits can restore them. */
  private fallbackArtifactDir: string | undefined

  constructor(private readonly options: EngineOptions) {
    super()
    this.store = options.store ?? createMemoryStore()
    this.clock = options.clock ?? realClock
    this.logger = options.logger ?? silentLogger
    this.env = options.env ?? process.env
    this.container.register(CLOCK, { useValue: this.clock })
    this.container.register(EVENTS, { useValue: this })
    this.host = new PluginHost(this.container, (id) => prefixLogger(this.logger, id), apiPackageVersion())
    this.ready = this.loadPlugins(options.plugins ?? [], options.cwd ?? process.cwd()).then(() => undefined)
    this.ready.catch(() => undefined)
  }

  private async loadPlugins(inputs: PluginInput[], baseDir: string): Promise<void> {
    const resolved: ResolvedPlugin[] = []
    for (const input of inputs) resolved.push(await resolvePluginInput(input, baseDir))
    await this.host.add(resolved)
  }

  /** A declared package the engine already has built in (given as an object with its package name). */
  private builtIn(ref: PluginRef): boolean {
    const spec = refSpec(ref)
    const loaded = [...this.host.loaded.values()].find((p) => p.builtIn && p.source === spec)
    if (!loaded) return false
    if (typeof ref !== 'string' && ref.config) {
      throw new PipewrightError('PW_ERR_PLUGIN_CONFIG', `${spec} is built in and already loaded with its default configuration; plugins: cannot configure it`, {
        details: `Remove the config from plugins:, or configure ${loaded.id} through its environment (see its README).`,
      })
    }
    return true
  }

  /**
   * Loads the plugins a pipeline declares. Installed packages are located and their pins checked
   * against `lockFile` before any of their code is imported: a tampered plugin never runs.
   */
  private async loadDeclared(refs: Array<PluginRef | undefined>, baseDir: string, lockFile: string | undefined, source?: { file: string; locator?: SourceLocator }): Promise<void> {
    const indexOf = new Map<string, number>()
    const declared = refs.flatMap((ref, index) => (ref === undefined || this.builtIn(ref) ? [] : [{ index, ...locateDeclared(ref, baseDir) }]))
    if (lockFile && (this.options.pins ?? 'check') === 'check') {
      const pinnable = declared.map((d) => (d.located ? pinnablePackage(d.located) : undefined)).filter((p) => p !== undefined)
      if (pinnable.length > 0) await checkPins(lockFile, pinnable, { update: false })
    }
    const resolved: ResolvedPlugin[] = []
    for (const d of declared) {
      const r = await importDeclared(d, baseDir)
      indexOf.set(r.plugin.id, d.index)
      resolved.push(r)
    }
    try {
      await this.host.add(resolved)
    } catch (error) {
      throw source && isPipewrightError(error) && error.code === 'PW_ERR_PLUGIN_CONFIG' ? locatePluginConfigProblems(error, indexOf, source) : error
    }
  }

  /** The entries of `plugins:` in place; unusable ones are undefined (validation reports them). */
  private declaredRefs(input: unknown): Array<PluginRef | undefined> {
    const declared = (input as { plugins?: unknown } | null)?.plugins
    return Array.isArray(declared)
      ? declared.map((p) => (typeof p === 'string' || (typeof p === 'object' && p !== null && typeof (p as { package?: unknown }).package === 'string') ? (p as PluginRef) : undefined))
      : []
  }

  async pinPlugins(file: string, options: { update?: boolean } = {}): Promise<PluginPins> {
    await this.ready
    const read = await readPipelineFile(resolve(file))
    const lockFile = lockFileFor(read.file)
    const pinnable = this.declaredRefs(read.input)
      .filter((ref): ref is PluginRef => ref !== undefined && !this.builtIn(ref))
      .map((ref) => locateDeclared(ref, read.dir).located)
      .map((located) => (located ? pinnablePackage(located) : undefined))
      .filter((p) => p !== undefined)
    if (!options.update) return { lockFile, plugins: await pinStatuses(lockFile, pinnable) }
    const { changed } = await checkPins(lockFile, pinnable, { update: true })
    const byName = new Map(changed.map((c) => [c.name, c.reason]))
    return { lockFile, plugins: pinnable.map((p) => ({ name: p.name, version: p.version, status: byName.get(p.name) ?? 'pinned' })) }
  }

  async plugins() {
    await this.ready
    return [...this.host.loaded.values()].map((p) => ({
      id: p.id,
      ...(p.version ? { version: p.version } : {}),
      source: p.source,
      builtIn: p.builtIn,
      stages: p.stages,
      gates: p.gates,
      monitors: p.monitors,
      notifiers: p.notifiers,
    }))
  }

  registry(): UsesRegistry {
    return {
      stage: (uses) => this.host.stages.get(uses)?.definition,
      gate: (uses) => this.host.gates.get(uses)?.definition,
      stageTypes: () => [...this.host.stages.keys()],
      gateTypes: () => [...this.host.gates.keys()],
    }
  }

  async load(file: string): Promise<LoadedPipeline> {
    await this.ready
    const read = await readPipelineFile(resolve(file))
    await this.loadDeclared(this.declaredRefs(read.input), read.dir, lockFileFor(read.file), { file: read.file, ...(read.locator ? { locator: read.locator } : {}) })
    const { spec, problems } = validatePipeline(read.input, { file: read.file, ...(read.locator ? { locator: read.locator } : {}), registry: this.registry() })
    if (!spec || problems.length > 0) {
      throw new PipewrightError('PW_ERR_CONFIG_INVALID', `${read.file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}`, { problems })
    }
    return { spec, file: read.file, dir: read.dir }
  }

  async validate(file: string): Promise<Problem[]> {
    try {
      await this.load(file)
      return []
    } catch (error) {
      if (isPipewrightError(error)) {
        return error.problems.length > 0 ? error.problems : [{ path: '', message: `${error.message}${error.details ? ` — ${error.details}` : ''}`, code: error.code, file }]
      }
      throw error
    }
  }

  async plan(pipeline: LoadedPipeline, options: Pick<RunOptions, 'only' | 'from'> = {}): Promise<Plan> {
    return planPipeline(pipeline.spec, options)
  }

  async run(pipeline: string | LoadedPipeline, options: RunOptions = {}): Promise<RunHandle> {
    const loaded = typeof pipeline === 'string' ? await this.load(pipeline) : pipeline
    await this.ready
    const plan: StoredPlan = { ...planPipeline(loaded.spec, { ...(options.only ? { only: options.only } : {}), ...(options.from ? { from: options.from } : {}) }), spec: loaded.spec }
    const secrets = await loadSecrets({ declared: loaded.spec.secrets ?? [], env: this.env, ...(options.secretFile ? { file: options.secretFile } : {}), ...(options.secrets ? { given: options.secrets } : {}) })
    const git = await readGitInfo(loaded.dir, options.commit)
    if (options.commit && git?.sha !== options.commit.sha && !git?.sha.startsWith(options.commit.sha)) {
      throw new PipewrightError('PW_ERR_GIT', `Commit ${options.commit.sha} is not in the repository at ${loaded.dir}`, { details: 'Fetch it first, or pass a commit of this repository.' })
    }
    const now = this.clock.now()
    const record: RunRecord = {
      id: newRunId(),
      pipeline: loaded.spec.name,
      ...(loaded.file ? { file: loaded.file } : {}),
      dir: loaded.dir,
      status: 'running',
      plan,
      options: {
        ...(options.only ? { only: options.only } : {}),
        ...(options.from ? { from: options.from } : {}),
        ...(options.noCache ? { noCache: true } : {}),
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        ...(options.vars ? { vars: options.vars } : {}),
        secretNames: [...secrets.keys()],
      },
      createdAt: now,
      startedAt: now,
      pid: process.pid,
      host: hostname(),
      heartbeatAt: now,
      ...(git?.branch ? { branch: git.branch } : {}),
      ...(git?.sha ? { sha: git.sha } : {}),
      trigger: options.trigger ?? 'api',
      resumes: 0,
    }
    await this.store.createRun(record)
    return this.start(record, plan, secrets, git, options, [], false)
  }

  async resume(runId: string, options: Omit<RunOptions, 'only' | 'from'> = {}): Promise<RunHandle> {
    await this.ready
    await markInterruptedRuns(this.store)
    const run = await this.store.getRun(runId)
    if (!run) throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `No run ${runId} in this store`)
    if (run.status === 'succeeded') throw new PipewrightError('PW_ERR_RUN_NOT_RESUMABLE', `Run ${runId} already succeeded`, { details: 'Start a new run instead.' })
    if (run.status === 'running' && isProcessAlive(run.pid) && run.host === hostname()) {
      throw new PipewrightError('PW_ERR_RUN_NOT_RESUMABLE', `Run ${runId} is still running (process ${run.pid})`, { details: 'Wait for it to finish, or stop that process first.' })
    }
    const plan = run.plan as StoredPlan
    if (!plan.spec) throw new PipewrightError('PW_ERR_RUN_NOT_RESUMABLE', `Run ${runId} was stored without its pipeline and cannot be resumed`)
    if (plan.spec.plugins?.length) await this.loadDeclared(plan.spec.plugins, run.dir, run.file ? lockFileFor(run.file) : undefined)
    const secrets = await loadSecrets({ declared: plan.spec.secrets ?? [], env: this.env, ...(options.secretFile ? { file: options.secretFile } : {}), ...(options.secrets ? { given: options.secrets } : {}) })
    const git = await readGitInfo(run.dir, run.sha ? { sha: run.sha, ...(run.branch ? { branch: run.branch } : {}) } : undefined)
    const stages = await this.store.getStages(runId)
    await this.store.updateRun(runId, { status: 'running', pid: process.pid, host: hostname(), heartbeatAt: this.clock.now(), resumes: (run.resumes ?? 0) + 1 })
    const merged: RunOptions = { ...options, ...(run.options.noCache ? { noCache: true } : {}), ...(run.options.vars ? { vars: run.options.vars } : {}), ...(run.options.concurrency ? { concurrency: run.options.concurrency } : {}) }
    return this.start({ ...run, status: 'running' }, plan, secrets, git, merged, stages, true)
  }

  private async start(
    run: RunRecord,
    plan: StoredPlan,
    secrets: Map<string, string>,
    git: Awaited<ReturnType<typeof readGitInfo>>,
    options: RunOptions,
    prior: StageRecord[],
    resumed: boolean,
  ): Promise<RunHandle> {
    const redact = createRedactor(secrets.values())
    const [logs, events] = resumed ? await Promise.all([this.store.getLogs(run.id), this.store.getEvents(run.id)]) : [[], []]
    const recorder = new RunRecorder(this.store, run.id, { logSeq: logs.at(-1)?.seq ?? 0, eventSeq: events.at(-1)?.seq ?? 0, stages: prior }).attach(this)
    const scratch = await mkdtemp(join(tmpdir(), 'pipewright-run-'))
    const artifactDir = this.store.artifactDir ?? (this.fallbackArtifactDir ??= await mkdtemp(join(tmpdir(), 'pipewright-artifacts-')))
    const services: RunServices = {
      runId: run.id,
      pipeline: { name: plan.spec.name, ...(run.file ? { file: run.file } : {}), dir: run.dir },
      git,
      store: this.store,
      artifacts: new ArtifactStore(artifactDir),
      secrets,
      redact,
      emit: (name, payload) => this.emit(name, payload as never),
      log: (stageId, stream, line) => this.emit('stage:log', { runId: run.id, stageId, stream, line: redact(line), at: Date.now() }),
      onArtifact: (stageId, a) => {
        void this.store.addArtifact({ ...a, runId: run.id, stageId, createdAt: Date.now() })
        this.emit('artifact:stored', { runId: run.id, stageId, path: a.path, digest: a.digest, size: a.size, at: Date.now() })
      },
      onSummary: (stageId, text) => recorder.summary(stageId, text),
    }
    const controller = new AbortController()
    if (options.signal) options.signal.addEventListener('abort', () => controller.abort(options.signal!.reason), { once: true })
    const baseEnv: Record<string, string> = {}
    for (const [k, v] of Object.entries(this.env)) if (v !== undefined && !k.startsWith(SECRET_ENV_PREFIX)) baseEnv[k] = v
    const execution = new Execution({
      services,
      spec: plan.spec,
      plan,
      host: this.host,
      clock: this.clock,
      baseEnv,
      vars: options.vars ?? {},
      concurrency: options.concurrency ?? plan.spec.concurrency ?? availableParallelism(),
      noCache: options.noCache ?? false,
      scratch,
      prior: new Map(prior.map((s) => [s.stageId, s])),
      rerunNonIdempotent: options.rerunNonIdempotent ?? false,
      external: run.options.only || run.options.from ? await externalNeeds(this.store, plan.spec, plan, run.id) : new Map(),
      signal: controller.signal,
    })
    const started = this.clock.now()
    const heartbeat = setInterval(() => void this.store.updateRun(run.id, { heartbeatAt: Date.now() }), 10_000)
    heartbeat.unref()
    this.emit('run:started', { runId: run.id, pipeline: plan.spec.name, ...(run.file ? { file: run.file } : {}), stages: plan.stages.map((s) => s.id), resumed, at: Date.now() })
    const result: Promise<RunResult> = execution
      .execute()
      .then(async ({ status, stages }) => {
        const durationMs = this.clock.now() - started
        await this.store.updateRun(run.id, { status, finishedAt: this.clock.now(), heartbeatAt: this.clock.now() })
        this.emit('run:finished', { runId: run.id, pipeline: plan.spec.name, status, durationMs, at: Date.now() } satisfies PipewrightEvents['run:finished'])
        return { id: run.id, pipeline: plan.spec.name, status, durationMs, stages }
      })
      .finally(async () => {
        clearInterval(heartbeat)
        await recorder.close()
        await rm(scratch, { recursive: true, force: true })
      })
    this.active.add(result)
    void result.catch(() => undefined).finally(() => this.active.delete(result))
    return { id: run.id, result, cancel: (reason) => controller.abort(reason ?? 'cancelled') }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.active])
    await this.store.flush()
    if (this.fallbackArtifactDir) await rm(this.fallbackArtifactDir, { recursive: true, force: true })
  }
}



function prefixLogger(logger: Logger, id: string): Logger {
  return {
    debug: (m, f) => logger.debug(`[${id}] ${m}`, f),
    info: (m, f) => logger.info(`[${id}] ${m}`, f),
    warn: (m, f) => logger.warn(`[${id}] ${m}`, f),
    error: (m, f) => logger.error(`[${id}] ${m}`, f),
  }
}

/** Points plugin configuration problems at `plugins[<n>].config…` in the pipeline file, with line:column. */
function locatePluginConfigProblems(error: PipewrightError, indexOf: Map<string, number>, source: { file: string; locator?: SourceLocator }): PipewrightError {
  const problems = error.problems.map((p) => {
    const m = /^plugins\.([a-z][a-z0-9-]*)\.config(.*)$/.exec(p.path)
    const index = m ? indexOf.get(m[1]!) : undefined
    if (!m || index === undefined) return p
    const rest = m[2]!.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : s))
    const at = source.locator?.locate(['plugins', index, 'config', ...rest])
    return { ...p, path: ['plugins', index, 'config', ...rest].join('.'), file: source.file, ...(at ? { line: at.line, column: at.column } : {}) }
  })
  return new PipewrightError(error.code, error.message, { details: error.details, problems, cause: error })
}
