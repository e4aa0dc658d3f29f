import type { Environment } from './environment.js'
import type { Operation } from './operation.js'
import type { StrategySpec } from './protocol.js'
import type { Release, Slot } from './slot.js'

type Strategy<S extends StrategySpec = StrategySpec> = (env: Environment, op: Operation, release: Release, strategy: S) => Promise<void>

const ids = (slots: readonly Slot[]) => slots.map((s) => s.id).join(', ') || '(none)'

/** Stops everything, then starts the new version; if it fails, the old version is started again. */
const recreate: Strategy = async (env, op, release) => {
  const old = env.slotsWith('stable')
  op.phase('stopping')
  env.route([])
  op.emit('traffic', `No traffic while ${env.name} is recreated`, { stable: 0, canary: 0 })
  await op.retire(old, 'recreate')
  op.phase('starting')
  try {
    env.route(await op.startInstances(release, env.spec.instances, 'canary'))
  } catch (error) {
    if (env.current && old.length > 0) {
      op.emit('restoring', `Starting ${env.current.version} again`, undefined, 'warn')
      env.route(await op.startInstances(env.releaseOf(env.current), old.length, 'canary', { abortable: false }))
    }
    throw error
  }
}

/** One instance at a time: start a new one, wait for its health, give it traffic, drain and stop an old one. */
const rolling: Strategy = async (env, op, release) => {
  const initial = env.slotsWith('stable')
  const old = [...initial]
  const fresh: Slot[] = []
  const n = env.spec.instances
  try {
    for (let i = 0; i < Math.max(n, initial.length); i++) {
      op.throwIfAborted()
      if (i < n) {
        op.phase(`instance ${i + 1} of ${n}`)
        fresh.push(...(await op.startInstances(release, 1, 'canary')))
        env.route([...old, ...fresh])
        op.emit('traffic', `${fresh.length} of ${n} instance(s) serve ${release.version}`, { stable: ids(old), fresh: ids(fresh) })
      }
      const leaving = old.shift()
      if (leaving) {
        env.route([...old, ...fresh])
        await op.retire([leaving], 'rolling update')
      }
    }
  } catch (error) {
    // Put back as many old-version instances as were replaced, then take the new ones out.
    const replaced = initial.length - old.length
    const back = replaced > 0 && env.current ? await op.startInstances(env.releaseOf(env.current), replaced, 'canary', { abortable: false }).catch(() => [] as Slot[]) : []
    env.route([...old, ...back])
    await op.retire(fresh, 'rolling update undone')
    throw error
  }
}

/** The new version beside the old, health-checked, then one atomic switch; the old one drains and stops. */
const blueGreen: Strategy<Extract<StrategySpec, { kind: 'blue-green' }>> = async (env, op, release, strategy) => {
  const old = env.slotsWith('stable')
  op.phase('starting')
  const fresh = await op.startInstances(release, env.spec.instances, 'canary')
  op.throwIfAborted()
  op.phase('switching')
  env.route(fresh)
  op.emit('traffic', `Switched all traffic to ${release.version} (${ids(fresh)})`, { stable: 0, canary: 100 })
  if (strategy.keepPreviousMs > 0 && old.length > 0) {
    env.keepPrevious(old, strategy.keepPreviousMs)
    op.emit('keeping', `Keeping ${ids(old)} idle for ${strategy.keepPreviousMs} ms for a quick rollback`)
    return
  }
  op.phase('draining')
  await op.retire(old, 'blue-green switch')
}

/**
 * Traffic to the new version in steps, each watched for `pauseMs` (and, with `awaitVerdicts`, until
 * the client's verdict on it); abort gives it all back to stable at once.
 */
const canary: Strategy<Extract<StrategySpec, { kind: 'canary' }>> = async (env, op, release, strategy) => {
  const old = env.slotsWith('stable')
  if (old.length === 0) {
    op.emit('note', `Nothing serves ${env.name} yet: no canary steps, a plain switch`)
    return blueGreen(env, op, release, { kind: 'blue-green', keepPreviousMs: 0 })
  }
  op.phase('starting')
  const fresh = await op.startInstances(release, env.spec.instances, 'canary')
  const backToStable = () => env.route(old)
  op.onAbort = backToStable
  try {
    for (const step of strategy.steps.filter((s) => s < 100)) {
      op.throwIfAborted()
      op.phase(`canary ${step}%`)
      env.route(old, fresh, step)
      op.emit('traffic', `${step}% of traffic to ${release.version}`, { stable: 100 - step, canary: step })
      if (strategy.awaitVerdicts) {
        // Waiting before the event goes out: a verdict can come back before emit returns.
        const verdict = op.awaitVerdict(step)
        op.phase(`canary ${step}%: awaiting its verdict`)
        op.emit('canary-step', `${step}% of traffic to ${release.version}: awaiting the verdict on this step`, { step, operation: op.id })
        await op.watch(fresh, strategy.pauseMs, verdict)
      } else {
        await op.watch(fresh, strategy.pauseMs)
      }
    }
    op.throwIfAborted()
  } catch (error) {
    backToStable()
    op.emit('traffic', `All traffic back to ${env.current?.version ?? 'the stable version'}`, { stable: 100, canary: 0 }, 'warn')
    await op.retire(fresh, 'canary abandoned')
    throw error
  } finally {
    op.onAbort = undefined
  }
  op.phase('promoting')
  env.route(fresh)
  op.emit('traffic', `100% of traffic to ${release.version}`, { stable: 0, canary: 100 })
  await op.retire(old, 'canary promoted')
}

/** Runs a strategy; instances kept idle by an earlier blue-green go first. */
export async function runStrategy(env: Environment, op: Operation, release: Release, strategy: StrategySpec): Promise<void> {
  await env.retirePrevious(op)
  switch (strategy.kind) {
    case 'recreate':
      return recreate(env, op, release, strategy)
    case 'rolling':
      return rolling(env, op, release, strategy)
    case 'blue-green':
      return blueGreen(env, op, release, strategy)
    case 'canary':
      return canary(env, op, release, strategy)
  }
}
