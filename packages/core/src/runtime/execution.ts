import { mkdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Clock, StageStatus, StoredArtifact } from '@pipewright/plugin-api'
import { evaluateCondition, interpolate, type ExpressionContext } from '../expr/index.js'
import type { PluginHost } from '../plugins/host.js'
import type { Plan, PlannedStage } from '../spec/plan.js'
import type { PipelineSpec } from '../spec/schema.js'
import type { StageRecord } from '../store/types.js'
import type { StageResult } from '../types.js'
import { stageCacheKey } from './cache.js'
import { confinePath } from './paths.js'
import { evaluateGates, interpolateDeep, outputFilePath, runWithRetries, serializeError } from './stage-attempt.js'
import type { RunServices, StageSlot } from './stage-context.js'

export interface ExecutionInput {
  services: RunServices
  spec: PipelineSpec
  plan: Plan
  host: PluginHost
  clock: Clock
  /** Process environment for stages (secrets-bearing PIPEWRIGHT_SECRET_* already removed). */
  baseEnv: Record<string, string>
  vars: Record<string, string>
  concurrency: number
  noCache: boolean
  /** Scratch directory of this run (output files, materialized artifacts). */
  scratch: string
  /** Stage records of an earlier attempt of this run (resume). */
  prior: Map<string, StageRecord>
  rerunNonIdempotent: boolean
  /** Needs outside a cut-down plan (--only/--from), with the outputs of their last success, if any. */
  external: Map<string, Record<string, string> | undefined>
  /** Aborted on cancel (user) — the execution adds its own for fail-fast. */
  signal: AbortSignal
}

interface StageState {
  node: PlannedStage
  index: number
  status: StageStatus
  remaining: number
  dependents: StageState[]
  failedAncestor: boolean
  attempts: number
  exitCode: number | null
  durationMs: number
  outputs: Record<string, string>
  artifacts: StoredArtifact[]
  error?: StageResult['error']
}

const TERMINAL_PRIOR = new Set<StageStatus>(['succeeded', 'cached'])

/** Walks the plan's DAG: up to `concurrency` stages at once, honouring needs, if, retry, timeout, cache, gates. */
export class Execution {
  private readonly states = new Map<string, StageState>()
  private readonly queue: StageState[] = []
  private readonly abort = new AbortController()
  private readonly stagesCtx: ExpressionContext['stages'] = {}
  private readonly secretsObj: Record<string, string>
  private readonly pipelineEnv: Record<string, string> = {}
  /** Working directories seen to exist in this run (most stages share one: stat it once). */
  private readonly knownDirectories = new Set<string>()
  private active = 0
  private finished = 0
  private failed = false
  private userCancelled = false
  private done!: () => void

  constructor(private readonly input: ExecutionInput) {
    this.secretsObj = Object.fromEntries(input.services.secrets)
    if (input.signal.aborted) this.cancel()
    else input.signal.addEventListener('abort', () => this.cancel(), { once: true })
  }

  private cancel(): void {
    this.userCancelled = true
    this.abort.abort()
  }

  async execute(): Promise<{ status: 'succeeded' | 'failed' | 'cancelled'; stages: StageResult[] }> {
    const { plan, prior } = this.input
    const baseCtx = this.exprContext(undefined, { success: true, failure: false, cancelled: false })
    for (const [k, v] of Object.entries(this.input.spec.env ?? {})) this.pipelineEnv[k] = interpolate(String(v), baseCtx)
    plan.stages.forEach((node, index) => {
      const p = prior.get(node.id)
      const state: StageState = {
        node,
        index,
        status: p && TERMINAL_PRIOR.has(p.status) ? p.status : 'pending',
        remaining: 0,
        dependents: [],
        failedAncestor: false,
        attempts: p?.attempts ?? 0,
        exitCode: p?.exitCode ?? null,
        durationMs: p?.durationMs ?? 0,
        outputs: p?.outputs ?? {},
        artifacts: [],
      }
      this.states.set(node.id, state)
    })
    for (const state of this.states.values()) {
      for (const need of state.node.needs) {
        const n = this.states.get(need)
        if (!n) continue
        n.dependents.push(state)
        if (n.status === 'pending') state.remaining++
      }
    }
    for (const [id, outputs] of this.input.external) this.stagesCtx[id] = { outputs: outputs ?? {}, status: outputs ? 'succeeded' : 'skipped' }
    await mkdir(this.input.scratch, { recursive: true })
    const finishedPromise = new Promise<void>((resolve) => (this.done = resolve))
    for (const state of this.states.values()) {
      if (state.status !== 'pending') {
        this.finished++
        this.publish(state)
      }
    }
    if (this.finished === this.states.size) this.done()
    for (const state of this.states.values()) if (state.status === 'pending' && state.remaining === 0) this.schedule(state)
    this.pump()
    await finishedPromise
    const stages = plan.stages.map((n) => this.result(this.states.get(n.id)!))
    const status = this.failed ? 'failed' : this.userCancelled ? 'cancelled' : 'succeeded'
    return { status, stages }
  }

  private result(s: StageState): StageResult {
    return { id: s.node.id, status: s.status, attempts: s.attempts, exitCode: s.exitCode, durationMs: s.durationMs, outputs: s.outputs, ...(s.error ? { error: s.error } : {}) }
  }

  private exprContext(state: StageState | undefined, status: ExpressionContext['status'], env?: Record<string, string>): ExpressionContext {
    return {
      env: env ?? this.pipelineEnv,
      secrets: this.secretsObj,
      vars: this.input.vars,
      matrix: state?.node.matrix ?? {},
      stages: this.stagesCtx,
      run: { id: this.input.services.runId, pipeline: this.input.spec.name },
      ...(this.input.services.git ? { git: this.input.services.git } : {}),
      status,
    }
  }

  /** Decides whether a stage whose needs are all done runs, is skipped, or is cancelled. */
  private schedule(state: StageState): void {
    const needs = state.node.needs.map((id) => this.states.get(id)!).filter(Boolean)
    const ok = (s: StageState) => s.status === 'succeeded' || s.status === 'cached' || (s.status === 'failed' && s.node.spec['continue-on-error'] === true)
    const failure = needs.some((s) => (s.status === 'failed' && !s.node.spec['continue-on-error']) || s.failedAncestor)
    state.failedAncestor = failure
    const cancelled = this.abort.signal.aborted
    const status = { success: !cancelled && needs.every(ok), failure, cancelled }
    let run: boolean
    try {
      run = evaluateCondition(state.node.spec.if, this.exprContext(state, status))
    } catch (error) {
      this.finish(state, 'failed', { error: serializeError(error, this.input.services.redact) })
      return
    }
    if (run) {
      this.queue.push(state)
      return
    }
    this.finish(state, cancelled ? 'cancelled' : 'skipped', {})
  }

  private pump(): void {
    while (this.active < this.input.concurrency && this.queue.length > 0) {
      const state = this.queue.shift()!
      this.active++
      void this.runStage(state)
        .catch((error) => this.finish(state, 'failed', { error: serializeError(error, this.input.services.redact) }))
        .finally(() => {
          this.active--
          this.pump()
        })
    }
  }

  private finish(state: StageState, status: StageStatus, extra: { error?: StageResult['error']; started?: number }): void {
    if (state.status !== 'pending' && state.status !== 'running') return
    state.status = status
    if (extra.error) state.error = extra.error
    if (extra.started !== undefined) state.durationMs = this.input.clock.now() - extra.started
    if (status === 'failed' && !state.node.spec['continue-on-error']) {
      this.failed = true
      if (this.input.spec['fail-fast']) this.abort.abort()
    }
    this.publish(state)
    const { services } = this.input
    services.emit('stage:finished', {
      runId: services.runId,
      stageId: state.node.id,
      status,
      attempts: state.attempts,
      exitCode: state.exitCode,
      durationMs: state.durationMs,
      outputs: state.outputs,
      ...(state.error ? { error: state.error } : {}),
      at: Date.now(),
    })
    this.finished++
    for (const dep of state.dependents) if (--dep.remaining === 0 && dep.status === 'pending') this.schedule(dep)
    if (this.finished === this.states.size) this.done()
  }

  /** Makes a finished stage visible to expressions as `stages.<id>` (and `stages.<base id>` for matrix instances). */
  private publish(state: StageState): void {
    this.stagesCtx[state.node.id] = { outputs: state.outputs, status: state.status }
    if (state.node.id !== state.node.stageId) {
      const base = this.stagesCtx[state.node.stageId] ?? { outputs: {}, status: state.status }
      base.outputs = { ...base.outputs, ...state.outputs }
      if (state.status === 'failed' || base.status === 'failed') base.status = 'failed'
      else base.status = state.status
      this.stagesCtx[state.node.stageId] = base
    }
  }

  private async runStage(state: StageState): Promise<void> {
    const { services, clock } = this.input
    const spec = state.node.spec
    const started = clock.now()
    if (this.abort.signal.aborted && !/always\(\)|cancelled\(\)/.test(spec.if ?? '')) {
      this.finish(state, 'cancelled', {})
      return
    }
    const prior = this.input.prior.get(state.node.id)
    if (prior?.status === 'running' && spec.idempotent === false && !this.input.rerunNonIdempotent) {
      this.finish(state, 'failed', {
        error: { code: 'PW_ERR_RUN_NOT_RESUMABLE', message: `Stage ${state.node.id} was interrupted while running and is marked idempotent: false`, details: 'Check what it did, then resume with --rerun-non-idempotent to run it again.' },
      })
      return
    }
    state.status = 'running'
    for (const need of this.externalNeedsOf(state)) {
      const outputs = this.input.external.get(need)
      services.log(
        state.node.id,
        'system',
        outputs
          ? `needs ${need}, which this run does not include: using the outputs of its last success`
          : `warning: needs ${need}, which this run does not include and no earlier run finished: its outputs are empty`,
      )
    }
    const status = { success: true, failure: false, cancelled: false }
    const envCtx = this.exprContext(state, status)
    const stageEnv: Record<string, string> = {}
    for (const [k, v] of Object.entries(spec.env ?? {})) stageEnv[k] = interpolate(String(v), { ...envCtx, env: { ...this.pipelineEnv, ...stageEnv } })
    const exprEnv = spec.env ? { ...this.pipelineEnv, ...stageEnv } : this.pipelineEnv
    const expr = this.exprContext(state, status, exprEnv)
    const dir = this.input.services.pipeline.dir
    const workspace = spec['working-directory'] ? await confinePath(dir, interpolate(spec['working-directory'], expr), 'working-directory') : dir
    if (!this.knownDirectories.has(workspace) && !(await isDirectory(workspace))) {
      this.finish(state, 'failed', {
        started,
        error: {
          code: 'PW_ERR_STAGE_FAILED',
          message: `Stage ${state.node.id}: working-directory ${spec['working-directory'] ?? '.'} does not exist (${workspace})`,
          details: 'Fix the path (it is relative to the pipeline file), or create the directory in a stage this one needs.',
        },
      })
      return
    }
    this.knownDirectories.add(workspace)
    const env: Record<string, string> = {
      ...this.input.baseEnv,
      ...exprEnv,
      PIPEWRIGHT: 'true',
      PIPEWRIGHT_RUN_ID: services.runId,
      PIPEWRIGHT_STAGE_ID: state.node.id,
      PIPEWRIGHT_WORKSPACE: workspace,
      PIPEWRIGHT_ARTIFACTS_DIR: join(this.input.scratch, 'artifacts'),
    }
    await this.materializeNeeds(state)
    // A stage that runs after cancellation (if: always()) must not inherit the aborted signal.
    const signal = this.abort.signal.aborted ? new AbortController().signal : this.abort.signal
    const slot: StageSlot = { stageId: state.node.id, attempt: 1, workspace, env, matrix: state.node.matrix, signal, outputs: new Map(), artifacts: [] }

    const cacheKey =
      spec.cache && !this.input.noCache
        ? await stageCacheKey(spec.cache, {
            // What the stage will really do: the command or `with` after expressions, per instance.
            action: {
              stage: state.node.id,
              matrix: state.node.matrix,
              ...(spec.uses
                ? { uses: spec.uses, with: interpolateDeep(spec.with ?? {}, expr) }
                : { run: typeof spec.run === 'string' ? interpolate(spec.run, expr) : spec.run!.map((a) => interpolate(a, expr)) }),
            },
            stageEnv: exprEnv,
            processEnv: env,
            workspace,
            needsOutputs: Object.fromEntries(state.node.needs.map((id) => [id, this.states.get(id)?.outputs ?? {}])),
            ...(spec.cache.key ? { extra: interpolate(spec.cache.key, expr) } : {}),
          }, signal)
        : undefined
    const hit = cacheKey ? await services.store.getCache(cacheKey) : undefined
    if (cacheKey && hit) {
      await services.artifacts.materialize(hit.artifacts, workspace)
      state.outputs = hit.outputs
      state.artifacts = hit.artifacts
      services.emit('cache:hit', { runId: services.runId, stageId: state.node.id, key: cacheKey, fromRunId: hit.runId, at: Date.now() })
      services.log(state.node.id, 'system', `cache hit (from run ${hit.runId})`)
      this.finish(state, 'cached', { started })
      return
    }

    const result = await runWithRetries(
      { run: services, slot, spec, expr, host: this.input.host, ...(spec.timeout !== undefined ? { timeoutMs: spec.timeout } : {}) },
      {
        clock,
        signal: this.abort.signal,
        outputFile: (attempt) => outputFilePath(this.input.scratch, state.index, attempt),
        onAttempt: (attempt, exitCode) => {
          state.attempts = attempt
          state.exitCode = exitCode
        },
      },
    )
    state.outputs = Object.fromEntries(slot.outputs)
    if (!result.ok) {
      if (slot.summary) services.onSummary(state.node.id, slot.summary)
      this.finish(state, result.kind === 'cancelled' ? 'cancelled' : 'failed', { started, ...(result.error ? { error: result.error } : {}) })
      return
    }
    if (spec.artifacts?.length) {
      const stored = await services.artifacts.collect(workspace, spec.artifacts)
      for (const a of stored) services.onArtifact(state.node.id, a)
      slot.artifacts.push(...stored)
    }
    state.artifacts = [...slot.artifacts]
    if (spec.gates?.length) {
      const attemptInput = { run: services, slot, spec, expr, host: this.input.host, outputFile: '' }
      const { failed } = await evaluateGates(attemptInput, spec.gates, clock)
      if (failed) {
        if (slot.summary) services.onSummary(state.node.id, slot.summary)
        const cancelled = this.abort.signal.aborted && failed.verdict === 'pending'
        this.finish(state, cancelled ? 'cancelled' : 'failed', {
          started,
          error: { code: cancelled ? 'PW_ERR_CANCELLED' : 'PW_ERR_GATE_FAILED', message: `Gate ${failed.gate} ${failed.verdict === 'fail' ? 'failed' : 'did not decide'}: ${failed.reason}` },
        })
        return
      }
    }
    if (slot.summary) services.onSummary(state.node.id, slot.summary)
    if (cacheKey) {
      await services.store.putCache({ key: cacheKey, runId: services.runId, stageId: state.node.id, outputs: state.outputs, artifacts: state.artifacts, createdAt: Date.now() })
    }
    this.finish(state, 'succeeded', { started })
  }

  private externalNeedsOf(state: StageState): string[] {
    if (this.input.external.size === 0) return []
    const base = this.input.spec.stages[state.node.stageId]?.needs ?? []
    return [...this.input.external.keys()].filter((id) => base.some((need) => id === need || id.startsWith(`${need}[`)))
  }

  /** Puts the artifacts of a stage's needs under $PIPEWRIGHT_ARTIFACTS_DIR/<need id>/. */
  private async materializeNeeds(state: StageState): Promise<void> {
    for (const id of state.node.needs) {
      const need = this.states.get(id)
      if (!need?.artifacts.length) continue
      const root = join(this.input.scratch, 'artifacts', id.replace(/[^A-Za-z0-9_.=-]/g, '_'))
      await mkdir(root, { recursive: true })
      await this.input.services.artifacts.materialize(need.artifacts, root)
    }
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}
