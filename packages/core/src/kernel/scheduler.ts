import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { StageStatus, StoredArtifact } from '@pipewright/plugin-api'
import type { StageResult } from '../engine/types.js'
import { evaluateCondition, interpolate, type ExpressionContext } from '../expr/index.js'
import type { PlannedStage } from '../pipeline/plan.js'
import { runStageLifecycle, type StageEnd } from './lifecycle.js'
import type { RunSession } from './session.js'
import { prepareStageEnvironment } from './stage-env.js'
import { StageRun } from './stage-run.js'
import { serializeError } from './serialize-error.js'

interface StageState {
  node: PlannedStage
  index: number
  status: StageStatus
  remaining: number
  dependents: StageState[]
  failedAncestor: boolean
  startedAt?: number
  end: StageEnd
}

const TERMINAL_PRIOR = new Set<StageStatus>(['succeeded', 'cached'])
const STAGE_CONDITION_AFTER_CANCEL = /always\(\)|cancelled\(\)/

/**
 * The DAG walk of one run: up to `concurrency` stages at once, each when its needs are done and
 * its `if:` holds; a stage's life is `runStageLifecycle`. Stages a resumed run already finished
 * are not run again; a failure fails the run (and with `fail-fast`, cancels it).
 */
export class Scheduler {
  private readonly states = new Map<string, StageState>()
  private readonly ready: StageState[] = []
  private readonly stagesCtx: ExpressionContext['stages'] = {}
  private readonly secretsObj: Record<string, string>
  private readonly pipelineEnv: Record<string, string> = {}
  /** Working directories seen to exist in this run (most stages share one: stat it once). */
  private readonly knownDirectories = new Set<string>()
  private active = 0
  private finished = 0
  private failed = false
  private done!: () => void

  constructor(private readonly session: RunSession) {
    this.secretsObj = Object.fromEntries(session.input.secrets)
  }

  async execute(): Promise<{ status: 'succeeded' | 'failed' | 'cancelled'; stages: StageResult[] }> {
    const { plan, prior, spec, scratch } = this.session.input
    const baseCtx = this.exprContext(undefined, { success: true, failure: false, cancelled: false })
    for (const [k, v] of Object.entries(spec.env ?? {})) this.pipelineEnv[k] = interpolate(String(v), baseCtx)
    plan.stages.forEach((node, index) => {
      const p = prior.get(node.id)
      const resumed = p && TERMINAL_PRIOR.has(p.status)
      const end: StageEnd = { status: resumed ? p.status : 'pending', attempts: p?.attempts ?? 0, exitCode: p?.exitCode ?? null, outputs: p?.outputs ?? {}, artifacts: (resumed && p.artifacts) || [] }
      this.states.set(node.id, { node, index, status: end.status, remaining: 0, dependents: [], failedAncestor: false, end })
    })
    for (const state of this.states.values()) {
      for (const need of state.node.needs) {
        const n = this.states.get(need)
        if (!n) continue
        n.dependents.push(state)
        if (n.status === 'pending') state.remaining++
      }
    }
    for (const ext of plan.external ?? []) this.stagesCtx[ext.id] = { outputs: ext.outputs ?? {}, status: ext.outputs ? 'succeeded' : 'skipped' }
    await mkdir(scratch, { recursive: true })
    const finished = new Promise<void>((resolve) => (this.done = resolve))
    for (const state of this.states.values()) {
      if (state.status !== 'pending') {
        this.finished++
        this.publish(state)
      }
    }
    if (this.finished === this.states.size) this.done()
    for (const state of this.states.values()) if (state.status === 'pending' && state.remaining === 0) this.schedule(state)
    this.pump()
    await finished
    const stages = plan.stages.map((n) => this.result(this.states.get(n.id)!))
    const status = this.failed ? 'failed' : this.session.signal.aborted ? 'cancelled' : 'succeeded'
    return { status, stages }
  }

  private result(s: StageState): StageResult {
    const { attempts, exitCode, outputs, error, summary } = s.end
    return { id: s.node.id, status: s.status, attempts, exitCode, durationMs: s.end.durationMs ?? 0, outputs, ...(error ? { error } : {}), ...(summary !== undefined ? { summary } : {}) }
  }

  private exprContext(state: StageState | StageRun | undefined, status: ExpressionContext['status'], env?: Record<string, string>): ExpressionContext {
    return {
      env: env ?? this.pipelineEnv,
      secrets: this.secretsObj,
      vars: this.session.input.vars,
      matrix: state?.node.matrix ?? {},
      stages: this.stagesCtx,
      run: { id: this.session.runId, pipeline: this.session.input.spec.name },
      ...(this.session.input.git ? { git: this.session.input.git } : {}),
      status,
    }
  }

  /** Decides whether a stage whose needs are all done runs, is skipped, or is cancelled. */
  private schedule(state: StageState): void {
    const needs = state.node.needs.map((id) => this.states.get(id)!).filter(Boolean)
    const ok = (s: StageState) => s.status === 'succeeded' || s.status === 'cached' || (s.status === 'failed' && s.node.spec['continue-on-error'] === true)
    const failure = needs.some((s) => (s.status === 'failed' && !s.node.spec['continue-on-error']) || s.failedAncestor)
    state.failedAncestor = failure
    const cancelled = this.session.signal.aborted
    let run: boolean
    try {
      run = evaluateCondition(state.node.spec.if, this.exprContext(state, { success: !cancelled && needs.every(ok), failure, cancelled }))
    } catch (error) {
      this.finish(state, { ...state.end, status: 'failed', error: serializeError(error, this.session.redact) })
      return
    }
    if (run) this.ready.push(state)
    else this.finish(state, { ...state.end, status: cancelled ? 'cancelled' : 'skipped' })
  }

  private pump(): void {
    while (this.active < this.session.input.concurrency && this.ready.length > 0) {
      const state = this.ready.shift()!
      this.active++
      state.status = 'running'
      void this.runStage(state)
        .then((end) => this.finish(state, end))
        .catch((error) => this.finish(state, { ...state.end, status: 'failed', error: serializeError(error, this.session.redact) }))
        .finally(() => {
          this.active--
          this.pump()
        })
    }
  }

  private async runStage(state: StageState): Promise<StageEnd> {
    const { session } = this
    const spec = state.node.spec
    state.startedAt = session.clock.now()
    if (session.signal.aborted && !STAGE_CONDITION_AFTER_CANCEL.test(spec.if ?? '')) return { ...state.end, status: 'cancelled' }
    const prior = session.input.prior.get(state.node.id)
    if (prior?.status === 'running' && spec.idempotent === false && !session.input.rerunNonIdempotent) {
      return {
        ...state.end,
        status: 'failed',
        error: { code: 'PW_ERR_RUN_NOT_RESUMABLE', message: `Stage ${state.node.id} was interrupted while running and is marked idempotent: false`, details: 'Check what it did, then resume with --rerun-non-idempotent to run it again.' },
      }
    }
    const stage = new StageRun(session, state.node, state.index)
    this.logExternalNeeds(stage)
    try {
      await prepareStageEnvironment(stage, this.pipelineEnv, (s, env) => this.exprContext(s, { success: true, failure: false, cancelled: false }, env), this.knownDirectories)
      await this.materializeNeeds(stage)
    } catch (error) {
      return { ...state.end, status: 'failed', error: serializeError(error, session.redact) }
    }
    return runStageLifecycle(stage)
  }

  private finish(state: StageState, end: StageEnd): void {
    if (state.status !== 'pending' && state.status !== 'running') return
    state.status = end.status
    state.end = { ...end, durationMs: state.startedAt === undefined ? 0 : this.session.clock.now() - state.startedAt }
    if (end.status === 'failed' && !state.node.spec['continue-on-error']) {
      this.failed = true
      if (this.session.input.spec['fail-fast']) this.session.cancel('fail-fast')
    }
    this.publish(state)
    const { attempts, exitCode, outputs, error, summary, durationMs } = state.end
    this.session.emit('stage:finished', {
      stageId: state.node.id,
      status: end.status,
      attempts,
      exitCode,
      durationMs: durationMs ?? 0,
      outputs,
      ...(error ? { error } : {}),
      ...(summary !== undefined ? { summary } : {}),
    })
    this.finished++
    for (const dep of state.dependents) if (--dep.remaining === 0 && dep.status === 'pending') this.schedule(dep)
    if (this.finished === this.states.size) this.done()
  }

  /** Makes a finished stage visible to expressions as `stages.<id>` (and `stages.<base id>` for matrix instances). */
  private publish(state: StageState): void {
    this.stagesCtx[state.node.id] = { outputs: state.end.outputs, status: state.status }
    if (state.node.id !== state.node.stageId) {
      const base = this.stagesCtx[state.node.stageId] ?? { outputs: {}, status: state.status }
      base.outputs = { ...base.outputs, ...state.end.outputs }
      base.status = state.status === 'failed' || base.status === 'failed' ? 'failed' : state.status
      this.stagesCtx[state.node.stageId] = base
    }
  }

  private logExternalNeeds(stage: StageRun): void {
    const external = this.session.input.plan.external ?? []
    if (external.length === 0) return
    const base = this.session.input.spec.stages[stage.node.stageId]?.needs ?? []
    for (const ext of external) {
      if (!base.some((need) => ext.id === need || ext.id.startsWith(`${need}[`))) continue
      stage.log(
        ext.outputs
          ? `needs ${ext.id}, which this run does not include: using the outputs of its last success (run ${ext.fromRunId})`
          : `warning: needs ${ext.id}, which this run does not include and no earlier run finished: its outputs are empty`,
      )
    }
  }

  /** Puts the artifacts of a stage's needs under $PIPEWRIGHT_ARTIFACTS_DIR/<need id>/. */
  private async materializeNeeds(stage: StageRun): Promise<void> {
    for (const id of stage.node.needs) {
      const artifacts: StoredArtifact[] = this.states.get(id)?.end.artifacts ?? []
      if (!artifacts.length) continue
      stage.needsArtifacts[id] = artifacts
      const root = join(this.session.input.scratch, 'artifacts', id.replace(/[^A-Za-z0-9_.=-]/g, '_'))
      await mkdir(root, { recursive: true })
      await this.session.input.artifacts.materialize(artifacts, root)
    }
  }
}
