import type { StoredArtifact } from '@pipewright/plugin-api'
import { interpolate } from '../expr/index.js'
import type { KernelHook } from '../kernel/hook-chain.js'
import { interpolateDeep } from '../kernel/resolve-config.js'
import type { StageRun } from '../kernel/stage-run.js'
import { stageCacheKey } from './cache-key.js'
import { observedNeeds } from './observed-needs.js'

/** Gate verdicts and the summary of a cached success, replayed on a hit (kept with the entry). */
interface CachedJudgement {
  summary?: string
  gates?: Array<{ gate: string; verdict: 'pass' | 'fail' | 'pending'; reason: string; evidence?: unknown }>
}

/**
 * The cache as a lifecycle provider: `prepare` computes the stage's key and, on a hit, restores
 * its outputs and artifacts (and replays its gate verdicts and summary) and ends the stage as
 * `cached`; `afterStage`, last of all, saves a success under its key.
 */
export const cacheHook: KernelHook = {
  name: 'cache',
  async prepare(stage) {
    const { spec, session } = stage
    if (!spec.cache || session.input.noCache) return
    const key = await keyOf(stage)
    // Undefined: the run was cancelled while input files were hashed; the attempt sees the signal.
    if (key === undefined) return
    stage.cacheKey = key
    const hit = await session.input.store.getCache(stage.cacheKey)
    if (!hit) return
    await session.input.artifacts.materialize(hit.artifacts, stage.workspace)
    stage.outputs = new Map(Object.entries(hit.outputs))
    stage.artifacts = [...hit.artifacts]
    const judgement: CachedJudgement = hit
    if (judgement.summary !== undefined) stage.summary = judgement.summary
    session.emit('cache:hit', { stageId: stage.stageId, key: stage.cacheKey, fromRunId: hit.runId })
    for (const g of judgement.gates ?? []) session.emit('gate:evaluated', { stageId: stage.stageId, gate: g.gate, verdict: g.verdict, reason: `${g.reason} (cached, from run ${hit.runId})`, evidence: g.evidence ?? null })
    stage.log(`cache hit (from run ${hit.runId})`)
    return { finish: { status: 'cached' } }
  },
  afterStage(stage, outcome) {
    if (outcome.status !== 'succeeded' || stage.cacheKey === undefined) return
    const gates = stage.memo.get('gates.verdicts') as CachedJudgement['gates'] | undefined
    stage.session.emit('cache:saved', {
      stageId: stage.stageId,
      key: stage.cacheKey,
      outputs: Object.fromEntries(stage.outputs),
      artifacts: stage.artifacts,
      ...(stage.summary !== undefined ? { summary: stage.summary } : {}),
      ...(gates?.length ? { gates } : {}),
    })
  },
}

async function keyOf(stage: StageRun): Promise<string | undefined> {
  const { spec, expr } = stage
  const observed = observedNeeds(spec)
  const needsOutputs: Record<string, Record<string, string>> = {}
  for (const [id, view] of Object.entries(expr.stages)) {
    if (observed.all || observed.whole.has(id)) needsOutputs[id] = { ...view.outputs, '$status': view.status }
    else {
      const keys = observed.outputs.get(id)
      if (keys) needsOutputs[id] = Object.fromEntries([...keys].sort().map((k) => [k, view.outputs[k] ?? '']))
    }
  }
  const needsArtifacts = Object.fromEntries(
    stage.node.needs.flatMap((id) => {
      const list = stage.needsArtifacts[id]
      return list?.length ? [[id, list.map((a: StoredArtifact) => `${a.path}@${a.digest}`)]] : []
    }),
  )
  const action = spec.uses
    ? {
        stage: stage.stageId,
        matrix: stage.matrix,
        uses: spec.uses,
        with: interpolateDeep(spec.with ?? {}, expr),
        plugin: await pluginIdentity(stage, spec.uses),
      }
    : { stage: stage.stageId, matrix: stage.matrix, run: typeof spec.run === 'string' ? interpolate(spec.run, expr) : spec.run!.map((a) => interpolate(a, expr)) }
  // A tightened gate must judge again: the gates (with their resolved config) key the cache too.
  const gates = spec.gates?.map((g) => ({ uses: g.uses, with: interpolateDeep(g.with ?? {}, expr) }))
  return stageCacheKey(spec.cache!, {
    action: gates?.length ? { ...action, gates } : action,
    stageEnv: expr.env,
    processEnv: stage.env,
    workspace: stage.workspace,
    needsOutputs,
    needsArtifacts,
    ...(spec.cache!.key ? { extra: interpolate(spec.cache!.key, expr) } : {}),
  }, stage.signal)
}

/** A plugin stage's code: its package version and content integrity (a new release misses the cache). */
async function pluginIdentity(stage: StageRun, uses: string): Promise<{ version?: string; integrity?: string }> {
  const type = stage.session.input.host.stages.get(uses)
  if (!type) return {}
  const version = stage.session.input.host.loaded.get(type.pluginId)?.version
  const integrity = await stage.session.input.pluginIntegrity(type.pluginId)
  return { ...(version ? { version } : {}), ...(integrity ? { integrity } : {}) }
}
