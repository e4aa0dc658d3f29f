import { mkdtemp, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { availableParallelism } from 'node:os'
import type { Clock, GitInfo, Logger, PipewrightEvents, RunSummary, StoredArtifact } from '@pipewright/plugin-api'
import type { RunRecord, StageRecord, Store } from '@pipewright/store-api'
import { ArtifactStore } from '../artifacts/artifact-store.js'
import type { Deployer } from '../deploy/deployer.js'
import type { StageExecutor } from '../exec/executor.js'
import { builtinHooks } from '../hooks/index.js'
import { HookChain } from '../kernel/hook-chain.js'
import { pluginKernelHook } from '../kernel/plugin-hooks.js'
import { RunSession } from '../kernel/session.js'
import { Scheduler } from '../kernel/scheduler.js'
import type { Plan } from '../pipeline/plan.js'
import type { PipelineSpec } from '../pipeline/schema.js'
import type { PluginHost } from '../plugins/host.js'
import { RunAuditTrail } from '../record/audit.js'
import type { RunRecorder } from '../record/recorder.js'
import { SECRET_ENV_PREFIX } from '../security/secrets.js'
import type { EventBus } from './event-bus.js'
import { serverUrl } from './notification-routes.js'
import { NotificationRouter } from './notifications.js'
import type { RedactorFactory } from './tokens.js'
import type { RunOptions, RunResult } from './types.js'

/** The engine's parts a run is launched with. */
export interface LaunchServices {
  bus: EventBus
  clock: Clock
  store: Store
  host: PluginHost
  executor: StageExecutor
  redaction: RedactorFactory
  logger: Logger
  env: Record<string, string | undefined>
  baseUrl: string | undefined
  artifactDir(): Promise<string>
  pluginIntegrity(pluginId: string): Promise<string | undefined>
  deployer(): Deployer | undefined
  wakeAll(): void
}

/** Everything a run needs to execute: prepared by `run` or `resume`. */
export interface PreparedRun {
  record: RunRecord
  spec: PipelineSpec
  plan: Plan
  secrets: Map<string, string>
  git: GitInfo | undefined
  options: RunOptions
  prior: Map<string, StageRecord & { artifacts?: StoredArtifact[] }>
  resumed: boolean
  recorder: RunRecorder
}

/**
 * Executes a prepared run: builds its session (redactor, artifacts, hooks, notifications), walks
 * its DAG, calls `runFinished` hooks, and returns its result once its records and notifications
 * are written. A store that fails mid-run cancels the stages and rejects with PW_ERR_STORE.
 */
export async function executeRun(services: LaunchServices, run: PreparedRun, onSession: (session: RunSession) => void): Promise<RunResult> {
  const { record, spec, plan, options } = run
  const scratch = await mkdtemp(join(tmpdir(), 'pipewright-run-'))
  const baseEnv: Record<string, string> = {}
  for (const [k, v] of Object.entries(services.env)) if (v !== undefined && !k.startsWith(SECRET_ENV_PREFIX)) baseEnv[k] = v
  const host = services.host
  const hooks = new HookChain(
    builtinHooks(),
    host.hooks.map((entry) => ({ entry, hook: pluginKernelHook(entry, host, entry.pluginConfig) })),
  )
  const session = new RunSession({
    runId: record.id,
    spec,
    plan,
    pipeline: { name: spec.name, ...(record.file ? { file: record.file } : {}), dir: record.dir },
    git: run.git,
    bus: services.bus,
    clock: services.clock,
    store: services.store,
    recorder: run.recorder,
    host,
    executor: services.executor,
    hooks,
    artifacts: new ArtifactStore(await services.artifactDir(), services.store.blobs),
    secrets: run.secrets,
    redact: services.redaction(run.secrets.values()),
    vars: options.vars ?? {},
    baseEnv,
    concurrency: options.concurrency ?? spec.concurrency ?? availableParallelism(),
    noCache: options.noCache ?? false,
    rerunNonIdempotent: options.rerunNonIdempotent ?? false,
    scratch,
    prior: run.prior,
    pluginIntegrity: services.pluginIntegrity,
    ...(record.triggeredBy ? { triggeredBy: record.triggeredBy } : {}),
    ...(options.noWait ?? record.options.noWait ? { noWait: true } : {}),
    deployer: services.deployer,
    wakeAll: services.wakeAll,
  })
  onSession(session)
  const router = new NotificationRouter(session, spec.notify ?? [], serverUrl(services.baseUrl, services.env, spec)).attach(services.bus)
  const audit = new RunAuditTrail(services.store, record, services.logger).attach(services.bus)
  if (options.signal) {
    if (options.signal.aborted) session.cancel(String(options.signal.reason ?? 'cancelled'))
    else options.signal.addEventListener('abort', () => session.cancel(String(options.signal!.reason ?? 'cancelled')), { once: true })
  }
  const started = services.clock.now()
  let result: RunResult
  try {
    session.emit('run:started', { pipeline: spec.name, ...(record.file ? { file: record.file } : {}), stages: plan.stages.map((s) => s.id), resumed: run.resumed })
    const { status, stages } = await new Scheduler(session).execute()
    const durationMs = services.clock.now() - started
    const summary: RunSummary = { status, durationMs, stages: stages.map((s) => ({ id: s.id, status: s.status, ...(s.error ? { error: s.error } : {}), ...(s.summary !== undefined ? { summary: s.summary } : {}) })) }
    for (const hook of hooks.of('runFinished')) {
      try {
        await hook.runFinished!(session, summary)
      } catch (error) {
        services.logger.warn(`${hook.name}: runFinished failed: ${session.redact(error instanceof Error ? error.message : String(error))}`)
      }
    }
    session.emit('run:finished', { pipeline: spec.name, status, durationMs } satisfies Omit<PipewrightEvents['run:finished'], 'runId' | 'at'>)
    await router.settle()
    result = { id: record.id, pipeline: spec.name, status, durationMs, stages }
  } finally {
    await audit.close()
    await run.recorder.close()
    await rm(scratch, { recursive: true, force: true })
  }
  // The run could not be recorded to the end: readers see it as interrupted once this process is gone.
  if (run.recorder.failure) throw run.recorder.failure
  return result
}

/** The record a new run starts with (queued until it gets a slot). */
export function newRunRecord(input: {
  id: string
  spec: PipelineSpec
  file: string | undefined
  dir: string
  plan: RunRecord['plan']
  options: RunOptions
  secretNames: string[]
  git: GitInfo | undefined
  now: number
}): RunRecord {
  const { options, git, now } = input
  return {
    id: input.id,
    pipeline: input.spec.name,
    ...(input.file ? { file: input.file } : {}),
    dir: input.dir,
    status: 'queued',
    plan: input.plan,
    options: {
      ...(options.only ? { only: options.only } : {}),
      ...(options.from ? { from: options.from } : {}),
      ...(options.noCache ? { noCache: true } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.vars ? { vars: options.vars } : {}),
      ...(options.noWait ? { noWait: true } : {}),
      secretNames: input.secretNames,
    },
    createdAt: now,
    pid: process.pid,
    host: hostname(),
    heartbeatAt: now,
    ...(git?.branch ? { branch: git.branch } : {}),
    ...(git?.sha ? { sha: git.sha } : {}),
    trigger: options.trigger ?? 'api',
    ...(options.triggeredBy ? { triggeredBy: options.triggeredBy } : {}),
    resumes: 0,
  }
}
