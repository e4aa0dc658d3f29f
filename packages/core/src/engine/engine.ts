import 'reflect-metadata'
import { mkdtemp, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { CLOCK, ENVIRONMENTS, EVENTS, PipewrightError, isPipewrightError, type Clock, type Logger, type Problem, type StoredArtifact } from '@pipewright/plugin-api'
import { createMemoryStore, STORE, type Store } from '@pipewright/store-api'
import { createLocalExecutor } from '../exec/local-executor.js'
import type { RunSession } from '../kernel/session.js'
import { resolveExternalNeeds } from '../pipeline/external-needs.js'
import { readPipelineFile } from '../pipeline/load.js'
import { planPipeline, type Plan } from '../pipeline/plan.js'
import type { PipelineSpec } from '../pipeline/schema.js'
import { validatePipeline } from '../pipeline/validate.js'
import { PluginHost } from '../plugins/host.js'
import { lockFileFor } from '../plugins/lockfile.js'
import { isProcessAlive } from '../record/interrupted.js'
import { DEFAULT_LOG_LIMIT_BYTES } from '../record/log-cap.js'
import { createRecorder, type RecorderFactory, type RunRecorder } from '../record/recorder.js'
import { RunsApi } from '../record/runs-api.js'
import { createRedactor } from '../security/redact.js'
import { loadSecrets } from '../security/secrets.js'
import { realClock } from './clock.js'
import { createContainer, registerProvider } from './container.js'
import { EventBus } from './event-bus.js'
import { readGitInfo } from './git-info.js'
import { newRunId } from './run-id.js'
import { serverUrl } from './notification-routes.js'
import { executeRun, newRunRecord, type LaunchServices, type PreparedRun } from './launch.js'
import { apiPackageVersion, PluginLoader } from './plugin-loading.js'
import { RunQueue } from './run-queue.js'
import { fromStoredPlan, toStoredPlan } from './stored-plan.js'
import { EXECUTOR, RECORDER, REDACTION, type RedactorFactory } from './tokens.js'
import type { StageExecutor } from '../exec/executor.js'
import { DEPLOYER, environmentsThroughDeployer, type Deployer } from '../deploy/deployer.js'
import { deploymentPipeline } from '../deploy/deployment-run.js'
import { watchEnvironment } from '../deploy/watch.js'
import type { Engine, EngineOptions, LoadedPipeline, PluginPins, RunHandle, RunOptions, RunResult, WatchEnvironmentOptions } from './types.js'

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
/** How often a running run writes that its process is alive. */
const HEARTBEAT_MS = 10_000

/** Creates an engine: the public entry point for the CLI, the server and services that embed Pipewright. */
export function createEngine(options: EngineOptions = {}): Engine {
  return new PipewrightEngine(options)
}

interface LiveRun {
  handle: RunHandle
  session?: RunSession
  /** Cancels the run while it is still queued. */
  dequeue(reason: string): boolean
}

class PipewrightEngine extends EventBus implements Engine {
  private readonly container = createContainer()
  private readonly host: PluginHost
  private readonly loader: PluginLoader
  private readonly ready: Promise<void>
  private readonly logger: Logger
  private readonly env: Record<string, string | undefined>
  private readonly live = new Map<string, LiveRun>()
  private readonly handles = new Map<string, RunHandle>()
  private readonly queue: RunQueue
  private readonly active = new Set<Promise<unknown>>()
  readonly runs: RunsApi
  /** Artifact files when the store keeps none (memory store): one dir for the engine's life, so cache hits can restore them. */
  private fallbackArtifactDir: Promise<string> | undefined

  constructor(private readonly options: EngineOptions) {
    super()
    this.logger = options.logger ?? silentLogger
    this.env = options.env ?? process.env
    const c = this.container
    c.register(CLOCK, { useValue: options.clock ?? realClock })
    c.register(EVENTS, { useValue: this })
    registerProvider(c, STORE, options.store ? { useValue: options.store } : { useFactory: () => createMemoryStore() })
    registerProvider(c, EXECUTOR, { useFactory: () => createLocalExecutor() })
    registerProvider(c, REDACTION, { useValue: createRedactor })
    registerProvider(c, RECORDER, { useValue: createRecorder })
    for (const { token, ...provider } of options.services ?? []) registerProvider(c, token, provider)
    if (!c.isRegistered(ENVIRONMENTS, true)) c.register(ENVIRONMENTS, { useValue: environmentsThroughDeployer(() => (c.isRegistered(DEPLOYER, true) ? c.resolve<Deployer>(DEPLOYER) : undefined)) })
    this.queue = new RunQueue(options.maxRuns ?? Infinity)
    this.host = new PluginHost(c, (id) => prefixLogger(this.logger, id), apiPackageVersion())
    this.loader = new PluginLoader(this.host, options.pins ?? 'check')
    this.runs = new RunsApi(this.store, this.handles)
    this.ready = this.loader.loadInputs(options.plugins ?? [], options.cwd ?? process.cwd())
    this.ready.catch(() => undefined)
  }

  get store(): Store {
    return this.container.resolve<Store>(STORE)
  }

  private get clock(): Clock {
    return this.container.resolve<Clock>(CLOCK)
  }

  async plugins() {
    await this.ready
    await this.loader.lazy.ensureAll()
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

  pinPlugins(file: string, options: { update?: boolean } = {}): Promise<PluginPins> {
    return this.ready.then(() => this.loader.pinPlugins(file, options))
  }

  async load(file: string): Promise<LoadedPipeline> {
    await this.ready
    const read = await readPipelineFile(resolve(file))
    await this.loader.prepareFor(read.input)
    await this.loader.loadDeclared(this.loader.declaredRefs(read.input), read.dir, lockFileFor(read.file), { file: read.file, ...(read.locator ? { locator: read.locator } : {}) })
    const { spec, problems } = validatePipeline(read.input, { file: read.file, ...(read.locator ? { locator: read.locator } : {}), registry: this.loader.registry() })
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
    const plan = planPipeline(loaded.spec, { ...(options.only ? { only: options.only } : {}), ...(options.from ? { from: options.from } : {}) })
    // The plan carries what the run needs: the outputs its left-out needs had in their last success.
    if (plan.external) plan.external = await resolveExternalNeeds(this.store, loaded.spec.name, plan.external)
    const secrets = await this.secretsFor(loaded.spec, options)
    serverUrl(this.options.baseUrl, this.env, loaded.spec)
    const git = await readGitInfo(loaded.dir, options.commit)
    if (options.commit && git?.sha !== options.commit.sha && !git?.sha.startsWith(options.commit.sha)) {
      throw new PipewrightError('PW_ERR_COMMIT_NOT_FOUND', `Commit ${options.commit.sha} is not in the repository at ${loaded.dir}`, { details: 'Fetch it first, or pass a commit of this repository.' })
    }
    const record = newRunRecord({ id: newRunId(), spec: loaded.spec, file: loaded.file, dir: loaded.dir, plan: toStoredPlan(plan, loaded.spec), options, secretNames: [...secrets.keys()], git, now: this.clock.now() })
    const recorder = this.recorderFor(record.id, loaded.spec.name)
    await recorder.createRun(record)
    return this.start({ record, spec: loaded.spec, plan, secrets, git, options, prior: new Map(), resumed: false, recorder })
  }

  async resume(runId: string, options: Omit<RunOptions, 'only' | 'from'> = {}): Promise<RunHandle> {
    await this.ready
    const run = await this.runs.get(runId)
    if (!run) throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `No run ${runId} in this store`)
    if (run.status === 'succeeded') throw new PipewrightError('PW_ERR_RUN_NOT_RESUMABLE', `Run ${runId} already succeeded`, { details: 'Start a new run instead.' })
    if ((run.status === 'running' || run.status === 'queued') && (this.live.has(runId) || (isProcessAlive(run.pid) && run.host === hostname()))) {
      throw new PipewrightError('PW_ERR_RUN_NOT_RESUMABLE', `Run ${runId} is still ${run.status} (process ${run.pid})`, { details: 'Wait for it to finish, or stop that process first.' })
    }
    const { plan, spec } = fromStoredPlan(run.plan, runId)
    await this.loader.prepareFor(spec)
    if (spec.plugins?.length) await this.loader.loadDeclared(spec.plugins, run.dir, run.file ? lockFileFor(run.file) : undefined)
    const secrets = await this.secretsFor(spec, options)
    serverUrl(this.options.baseUrl, this.env, spec)
    const git = await readGitInfo(run.dir, run.sha ? { sha: run.sha, ...(run.branch ? { branch: run.branch } : {}) } : undefined)
    const [stages, logs, events, artifacts] = await Promise.all([this.store.getStages(runId), this.store.getLogs(runId), this.store.getEvents(runId), this.store.listArtifacts(runId)])
    const prior = new Map(stages.map((s) => [s.stageId, { ...s, artifacts: artifacts.filter((a) => a.stageId === s.stageId).map(({ path, digest, size }): StoredArtifact => ({ path, digest, size })) }]))
    const recorder = this.recorderFor(runId, spec.name, { logSeq: logs.at(-1)?.seq ?? 0, eventSeq: events.at(-1)?.seq ?? 0, stages, resumes: run.resumes ?? 0 })
    const merged: RunOptions = { ...options, ...(run.options.noCache ? { noCache: true } : {}), ...(run.options.vars ? { vars: run.options.vars } : {}), ...(run.options.concurrency ? { concurrency: run.options.concurrency } : {}) }
    return this.start({ record: run, spec, plan, secrets, git, options: merged, prior, resumed: true, recorder })
  }

  async cancel(runId: string, reason = 'cancelled'): Promise<void> {
    const live = this.live.get(runId)
    if (!live) {
      throw new PipewrightError('PW_ERR_RUN_NOT_FOUND', `Run ${runId} is not running in this engine`, {
        details: 'Only the process that runs a run can cancel it; find it with `pipewright runs` (its process id is in `pipewright show`).',
      })
    }
    if (!live.dequeue(reason)) live.session?.cancel(reason)
  }

  async watchEnvironment(pipeline: LoadedPipeline, environment: string, options: WatchEnvironmentOptions): Promise<void> {
    await this.ready
    await this.loader.lazy.ensureAll()
    const redactor = this.container.resolve<RedactorFactory>(REDACTION)([])
    const clock = this.clock
    await watchEnvironment(environment, {
      spec: pipeline.spec,
      dir: pipeline.dir,
      host: this.host,
      store: this.store,
      clock,
      vars: options.vars ?? {},
      emit: (name, payload) => this.emit(name, { ...payload, at: clock.now() } as never),
      redact: redactor,
      log: options.log ?? ((line) => this.logger.info(line)),
      heal: async (action) => (await (await this.run(deploymentPipeline(pipeline, environment, action), { vars: options.vars ?? {}, triggeredBy: 'pipewright (self-healing)' })).result).status,
      signal: options.signal,
    })
  }

  wake(runId: string, stageId?: string): number {
    return this.live.get(runId)?.session?.wakers.wake(stageId) ?? 0
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.active])
    await this.container.resolve<StageExecutor>(EXECUTOR).close?.()
    await this.store.flush()
    if (this.fallbackArtifactDir) await rm(await this.fallbackArtifactDir, { recursive: true, force: true })
  }

  private secretsFor(spec: PipelineSpec, options: RunOptions): Promise<Map<string, string>> {
    return loadSecrets({ declared: spec.secrets ?? [], env: this.env, ...(options.secretFile ? { file: options.secretFile } : {}), ...(options.secrets ? { given: options.secrets } : {}) })
  }

  private recorderFor(runId: string, pipeline: string, start?: { logSeq: number; eventSeq: number; stages: import('@pipewright/store-api').StageRecord[]; resumes: number }): RunRecorder {
    const factory = this.container.resolve<RecorderFactory>(RECORDER)
    const recorder = factory({
      store: this.store,
      runId,
      pipeline,
      clock: this.clock,
      ...(start ? { start } : {}),
      logLimitBytes: this.options.logLimitBytes ?? DEFAULT_LOG_LIMIT_BYTES,
      heartbeatMs: HEARTBEAT_MS,
      onFailure: (error) => {
        this.logger.error(`run ${runId}: ${error.message}`)
        this.live.get(runId)?.session?.cancel('the store failed')
      },
    })
    return recorder.attach(this)
  }

  private launchServices(): LaunchServices {
    return {
      bus: this,
      clock: this.clock,
      store: this.store,
      host: this.host,
      executor: this.container.resolve<StageExecutor>(EXECUTOR),
      redaction: this.container.resolve<RedactorFactory>(REDACTION),
      logger: this.logger,
      env: this.env,
      baseUrl: this.options.baseUrl,
      artifactDir: async () => this.store.artifactDir ?? (await (this.fallbackArtifactDir ??= mkdtemp(join(tmpdir(), 'pipewright-artifacts-')))),
      pluginIntegrity: (id) => this.loader.pluginIntegrity(id),
      deployer: () => (this.container.isRegistered(DEPLOYER, true) ? this.container.resolve<Deployer>(DEPLOYER) : undefined),
      wakeAll: () => {
        for (const live of this.live.values()) live.session?.wakers.wakeAll()
      },
    }
  }

  /** Queues the run for a slot (`maxRuns`), then executes it; the handle is live until it ends. */
  private start(prepared: PreparedRun): RunHandle {
    const { record } = prepared
    let cancelledInQueue: string | undefined
    let admit!: () => void
    const entry: LiveRun = {
      handle: undefined as never,
      dequeue: (reason) => {
        if (!this.queue.remove(record.id)) return false
        cancelledInQueue = reason
        admit()
        return true
      },
    }
    const queued = this.queue.full
    if (queued) this.stamp('run:queued', { runId: record.id, pipeline: prepared.spec.name, position: this.queue.nextPosition })
    const slot = new Promise<void>((resolveSlot) => {
      admit = resolveSlot
      void this.queue.acquire(record.id).then(resolveSlot)
    })
    const result: Promise<RunResult> = slot
      .then(async () => {
        if (cancelledInQueue !== undefined) return this.finishQueued(prepared, cancelledInQueue)
        try {
          return await executeRun(this.launchServices(), prepared, (session) => (entry.session = session))
        } finally {
          this.queue.release()
        }
      })
      .finally(() => {
        this.live.delete(record.id)
        this.handles.delete(record.id)
      })
    entry.handle = { id: record.id, result, cancel: (reason) => void this.cancel(record.id, reason).catch(() => undefined) }
    this.live.set(record.id, entry)
    this.handles.set(record.id, entry.handle)
    this.active.add(result)
    void result.catch(() => undefined).finally(() => this.active.delete(result))
    return entry.handle
  }

  /** A run cancelled before it got a slot: it ends `cancelled` without running anything. */
  private async finishQueued(prepared: PreparedRun, reason: string): Promise<RunResult> {
    this.logger.info(`run ${prepared.record.id} cancelled while queued: ${reason}`)
    this.stamp('run:finished', { runId: prepared.record.id, pipeline: prepared.spec.name, status: 'cancelled', durationMs: 0 })
    await prepared.recorder.close()
    return { id: prepared.record.id, pipeline: prepared.spec.name, status: 'cancelled', durationMs: 0, stages: [] }
  }

  /** Emits an engine-level event stamped with the engine clock. */
  private stamp<K extends 'run:queued' | 'run:finished'>(name: K, payload: Omit<import('@pipewright/plugin-api').PipewrightEvents[K], 'at'>): void {
    this.emit(name, { ...payload, at: this.clock.now() } as import('@pipewright/plugin-api').PipewrightEvents[K])
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
