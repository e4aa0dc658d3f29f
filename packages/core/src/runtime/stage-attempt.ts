import { join } from 'node:path'
import { PipewrightError, isPipewrightError, type GateContext, type Resolver, type SerializedError } from '@pipewright/plugin-api'
import { interpolate, type ExpressionContext } from '../expr/index.js'
import { callPlugin, type PluginHost } from '../plugins/host.js'
import { toResolver } from '../di.js'
import type { GateRef, StageSpec } from '../spec/schema.js'
import { durationText } from './duration-text.js'
import { readOutputFile } from './outputs.js'
import { spawnProcess } from './process.js'
import { redactDeep, splitPointFor } from './redact.js'
import { templateShellScript } from './shell-template.js'
import { createStageContext, type RunServices, type StageSlot } from './stage-context.js'
import type { Clock } from '@pipewright/plugin-api'

export interface AttemptResult {
  ok: boolean
  /** Why it failed, for retry decisions. */
  kind?: 'failure' | 'timeout' | 'cancelled'
  exitCode: number | null
  error?: SerializedError
}

export interface AttemptInput {
  run: RunServices
  slot: StageSlot
  spec: StageSpec
  expr: ExpressionContext
  host: PluginHost
  timeoutMs?: number
  outputFile: string
}

export function serializeError(error: unknown, redact: (s: string) => string): SerializedError {
  if (isPipewrightError(error)) return { code: error.code, message: redact(error.message), details: redact(error.details) }
  return { code: 'PW_ERR_INTERNAL', message: redact(error instanceof Error ? error.message : String(error)) }
}

/** Runs one attempt of a `run:` stage. */
export async function runCommandAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { run, slot, spec } = input
  // A shell script gets expression values through the environment, never as shell code;
  // an argv list has no shell, so values go straight into its arguments.
  const script = spec.run!
  const shell = typeof script === 'string' ? templateShellScript(script, (source) => interpolate(`\${{ ${source} }}`, input.expr)) : undefined
  const command = typeof script === 'string' ? shell!.script : script.map((a) => interpolate(a, input.expr))
  const result = await spawnProcess({
    command,
    cwd: slot.workspace,
    env: { ...slot.env, ...shell?.env, PIPEWRIGHT_OUTPUT: input.outputFile },
    signal: slot.signal,
    ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}),
    onLine: (stream, line) => run.log(slot.stageId, stream, line),
    splitPoint: splitPointFor(run.redact),
  })
  const { outputs, problems } = await readOutputFile(input.outputFile)
  for (const [k, v] of Object.entries(outputs)) slot.outputs.set(k, run.redact(v))
  for (const p of problems) run.log(slot.stageId, 'system', `warning: $PIPEWRIGHT_OUTPUT ${p}`)
  if (result.cancelled) return { ok: false, kind: 'cancelled', exitCode: result.exitCode, error: { code: 'PW_ERR_CANCELLED', message: `Stage ${slot.stageId} was cancelled` } }
  if (result.timedOut) {
    return { ok: false, kind: 'timeout', exitCode: result.exitCode, error: { code: 'PW_ERR_TIMEOUT', message: `Stage ${slot.stageId} timed out after ${durationText(input.timeoutMs!)}` } }
  }
  if (result.spawnError) return { ok: false, kind: 'failure', exitCode: 127, error: { code: 'PW_ERR_STAGE_FAILED', message: run.redact(result.spawnError) } }
  if (result.exitCode !== 0) {
    return { ok: false, kind: 'failure', exitCode: result.exitCode, error: { code: 'PW_ERR_STAGE_FAILED', message: `Stage ${slot.stageId} exited with code ${result.exitCode}` } }
  }
  return { ok: true, exitCode: 0 }
}

/** Runs one attempt of a `uses:` stage through its plugin. */
export async function runPluginAttempt(input: AttemptInput): Promise<AttemptResult> {
  const { run, slot, spec, host } = input
  const type = host.stages.get(spec.uses!)
  if (!type) throw new PipewrightError('PW_ERR_PLUGIN_NOT_FOUND', `Stage type ${spec.uses} is not provided by any loaded plugin`)
  const config = parseConfig(type.definition.configSchema, interpolateDeep(spec.with ?? {}, input.expr), `stages.${slot.stageId}.with`)
  const timeout = new AbortController()
  const signal = AbortSignal.any([slot.signal, timeout.signal])
  const ctx = createStageContext(run, slot, { resolver: toResolver(type.container), config: type.pluginConfig, id: type.pluginId }, signal)
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    if (input.timeoutMs !== undefined) timer = setTimeout(() => (timeout.abort(), resolve('timeout')), input.timeoutMs)
  })
  const cancelled = new Promise<'cancelled'>((resolve) => {
    if (slot.signal.aborted) resolve('cancelled')
    else slot.signal.addEventListener('abort', () => resolve('cancelled'), { once: true })
  })
  try {
    const outcome = await Promise.race([callPlugin(type.pluginId, `stage ${spec.uses}`, () => type.definition.run(ctx, config)).then(() => 'done' as const), timedOut, cancelled])
    if (outcome === 'timeout') return { ok: false, kind: 'timeout', exitCode: null, error: { code: 'PW_ERR_TIMEOUT', message: `Stage ${slot.stageId} timed out after ${durationText(input.timeoutMs!)}` } }
    if (outcome === 'cancelled') return { ok: false, kind: 'cancelled', exitCode: null, error: { code: 'PW_ERR_CANCELLED', message: `Stage ${slot.stageId} was cancelled` } }
    return { ok: true, exitCode: 0 }
  } catch (error) {
    if (slot.signal.aborted) return { ok: false, kind: 'cancelled', exitCode: null, error: { code: 'PW_ERR_CANCELLED', message: `Stage ${slot.stageId} was cancelled` } }
    const err = serializeError(error, run.redact)
    run.log(slot.stageId, 'stderr', `${err.code}: ${err.message}`)
    return { ok: false, kind: 'failure', exitCode: null, error: err }
  } finally {
    if (timer) clearTimeout(timer)
  }
}

/**
 * Runs attempts of a stage until one succeeds, the retry policy gives up (`retry.max`, `retry.on`)
 * or the run is cancelled, waiting `backoff × factor^(n-1)` between attempts.
 */
export async function runWithRetries(
  input: Omit<AttemptInput, 'outputFile'>,
  options: { clock: Clock; signal: AbortSignal; outputFile(attempt: number): string; onAttempt(attempt: number, exitCode: number | null): void },
): Promise<AttemptResult> {
  const { run, slot, spec } = input
  const retry = spec.retry ?? { max: 0, backoff: undefined, factor: 1, on: ['failure', 'timeout'] }
  for (let attempt = 1; ; attempt++) {
    slot.attempt = attempt
    slot.outputs.clear()
    options.onAttempt(attempt, null)
    run.emit('stage:started', { runId: run.runId, stageId: slot.stageId, attempt, at: Date.now() })
    const attemptInput = { ...input, outputFile: options.outputFile(attempt) }
    let result: AttemptResult
    try {
      result = spec.uses ? await runPluginAttempt(attemptInput) : await runCommandAttempt(attemptInput)
    } catch (error) {
      result = { ok: false, kind: 'failure', exitCode: null, error: serializeError(error, run.redact) }
    }
    options.onAttempt(attempt, result.exitCode)
    if (result.ok || result.kind === 'cancelled' || attempt > retry.max) return result
    if (!retry.on.some((o) => o === result.kind || (typeof o === 'number' && o === result.exitCode))) return result
    const delayMs = Math.round((retry.backoff ?? 0) * retry.factor ** (attempt - 1))
    const reason = result.error?.message ?? 'failed'
    run.emit('stage:retrying', { runId: run.runId, stageId: slot.stageId, attempt, delayMs, reason, at: Date.now() })
    run.log(slot.stageId, 'system', `attempt ${attempt} failed (${reason}); retrying in ${delayMs} ms`)
    if (delayMs > 0) await options.clock.sleep(delayMs, options.signal).catch(() => undefined)
    if (options.signal.aborted) return result
  }
}

export interface GateOutcome {
  gate: string
  verdict: 'pass' | 'fail' | 'pending'
  reason: string
  evidence?: unknown
}

const GATE_POLL_MS = 5000

/** Evaluates a stage's gates in order; `pending` is re-evaluated until it decides or the stage is cancelled. */
export async function evaluateGates(input: AttemptInput, gates: GateRef[], clock: Clock): Promise<{ outcomes: GateOutcome[]; failed?: GateOutcome }> {
  const outcomes: GateOutcome[] = []
  for (const [index, ref] of gates.entries()) {
    const type = input.host.gates.get(ref.uses)
    if (!type) throw new PipewrightError('PW_ERR_PLUGIN_NOT_FOUND', `Gate type ${ref.uses} is not provided by any loaded plugin`)
    const name = ref.name ?? ref.uses
    const config = parseConfig(type.definition.configSchema, interpolateDeep(ref.with ?? {}, input.expr), `stages.${input.slot.stageId}.gates[${index}].with`)
    const base = createStageContext(input.run, input.slot, { resolver: toResolver(type.container) as Resolver, config: type.pluginConfig, id: type.pluginId })
    const ctx: GateContext = { ...base, stage: { id: input.slot.stageId, status: 'succeeded', outputs: Object.fromEntries(input.slot.outputs) } }
    for (;;) {
      let outcome: GateOutcome
      try {
        const r = await callPlugin(type.pluginId, `gate ${ref.uses}`, () => type.definition.evaluate(ctx, config))
        outcome = { gate: name, verdict: r.verdict, reason: input.run.redact(r.reason), ...(r.evidence !== undefined ? { evidence: redactDeep(r.evidence, input.run.redact) } : {}) }
      } catch (error) {
        const e = serializeError(error, input.run.redact)
        outcome = { gate: name, verdict: 'fail', reason: `${e.code}: ${e.message}` }
      }
      input.run.emit('gate:evaluated', { runId: input.run.runId, stageId: input.slot.stageId, gate: name, verdict: outcome.verdict, reason: outcome.reason, evidence: outcome.evidence ?? null, at: Date.now() })
      input.run.log(input.slot.stageId, 'system', `gate ${name}: ${outcome.verdict} — ${outcome.reason}`)
      if (outcome.verdict !== 'pending' || input.slot.signal.aborted) {
        outcomes.push(outcome)
        if (outcome.verdict !== 'pass') return { outcomes, failed: outcome }
        break
      }
      await clock.sleep(GATE_POLL_MS, input.slot.signal).catch(() => undefined)
    }
  }
  return { outcomes }
}

function parseConfig(schema: { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } } | undefined, value: unknown, path: string): unknown {
  if (!schema) return value
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const problems = parsed.error!.issues.map((i) => ({ path: [path, ...i.path.map(String)].join('.'), message: i.message }))
  throw new PipewrightError('PW_ERR_CONFIG_INVALID', `Invalid configuration at ${path} after expressions were resolved`, { problems })
}

/** Resolves `${{ }}` in every string of a `with:` block. */
export function interpolateDeep(value: unknown, ctx: ExpressionContext): unknown {
  if (typeof value === 'string') return value.includes('${{') ? interpolate(value, ctx) : value
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, ctx))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, ctx)]))
  return value
}

export function outputFilePath(dir: string, index: number, attempt: number): string {
  return join(dir, `${index}-${attempt}.out`)
}
