import { PipewrightError, type GateContext, type GateResult } from '@pipewright/plugin-api'
import { callPlugin } from '../plugins/host.js'
import type { KernelHook } from '../kernel/hook-chain.js'
import { resolveConfig } from '../kernel/resolve-config.js'
import { serializeError } from '../kernel/serialize-error.js'
import { createStageContext } from '../kernel/stage-context.js'
import type { StageRun, StepResult } from '../kernel/stage-run.js'
import { redactDeep } from '../security/redact.js'

type Verdict = { gate: string; verdict: GateResult['verdict']; reason: string; evidence?: unknown }

/**
 * The stage's `gates:`, in order, after artifacts are collected. A `fail` fails the stage; a
 * `pending` makes it wait (asked again every `recheckMs`, or when woken) until it decides or its
 * `timeout:` passes. A verdict is published only when it changes, so a long wait does not flood
 * the journal.
 */
export const gatesHook: KernelHook = {
  name: 'gates',
  async verify(stage): Promise<StepResult> {
    const gates = stage.spec.gates ?? []
    const verdicts = (stage.memo.get('gates.verdicts') as Verdict[] | undefined) ?? []
    stage.memo.set('gates.verdicts', verdicts)
    for (let index = verdicts.filter((v) => v.verdict === 'pass').length; index < gates.length; index++) {
      const ref = gates[index]!
      const name = ref.name ?? ref.uses
      const result = await evaluate(stage, index)
      const last = verdicts[index]
      if (!last || last.verdict !== result.verdict || last.reason !== result.reason) {
        verdicts[index] = { gate: name, verdict: result.verdict, reason: result.reason, ...(result.evidence !== undefined ? { evidence: result.evidence } : {}) }
        stage.session.emit('gate:evaluated', { stageId: stage.stageId, gate: name, verdict: result.verdict, reason: result.reason, evidence: result.evidence ?? null })
        stage.log(`gate ${name}: ${result.verdict} — ${result.reason}`)
      }
      if (result.verdict === 'pending') {
        return { wait: { reason: `gate ${name}: ${result.reason}`, kind: result.waitFor ?? 'gate', ...(ref.timeout !== undefined ? { timeoutMs: ref.timeout } : {}), ...(result.recheckMs !== undefined ? { recheckMs: result.recheckMs } : {}) } }
      }
      if (result.verdict === 'fail') return { fail: { code: 'PW_ERR_GATE_FAILED', message: `Gate ${name} failed: ${result.reason}` } }
    }
  },
}

async function evaluate(stage: StageRun, index: number): Promise<GateResult> {
  const { session } = stage
  const ref = stage.spec.gates![index]!
  const type = session.input.host.gates.get(ref.uses)
  if (!type) throw new PipewrightError('PW_ERR_PLUGIN_NOT_FOUND', `Gate type ${ref.uses} is not provided by any loaded plugin`)
  try {
    const config = resolveConfig(type.definition.configSchema, ref.with, stage.expr, `stages.${stage.stageId}.gates[${index}].with`)
    const base = createStageContext(session, stage, { id: type.pluginId, resolver: session.input.host.resolverFor(type.pluginId), config: type.pluginConfig })
    const ctx: GateContext = { ...base, stage: { id: stage.stageId, status: 'succeeded', outputs: Object.fromEntries(stage.outputs) } }
    const r = await callPlugin(type.pluginId, `gate ${ref.uses}`, () => type.definition.evaluate(ctx, config))
    return { ...r, reason: session.redact(r.reason), ...(r.evidence !== undefined ? { evidence: redactDeep(r.evidence, session.redact) } : {}) }
  } catch (error) {
    const e = serializeError(error, session.redact)
    return { verdict: 'fail', reason: `${e.code}: ${e.message}` }
  }
}
