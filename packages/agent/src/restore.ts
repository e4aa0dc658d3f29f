import { describeFailure } from './health-check.js'
import type { Environment } from './environment.js'
import type { Slot } from './slot.js'
import type { EnvironmentState, InstanceRecord } from './state-file.js'

/**
 * Brings an environment back after an agent restart: what an unfinished operation started is
 * stopped; instances of the last good version are adopted when they still run, else started
 * again (health-checked); the set is topped up to `instances`; then they get traffic.
 */
export async function restoreEnvironment(env: Environment, state: EnvironmentState): Promise<void> {
  env.current = state.current
  env.previous = state.previous
  env.releases = state.releases ?? []
  env.history = state.history ?? []
  env.stopped = state.stopped === true
  const stopRecord = async (r: InstanceRecord, why: string) => {
    env.log(`stopping ${r.id} (${r.version}): ${why}`)
    try {
      const driver = env.driverOf(r)
      await driver.stop(driver.parseConfig(r.target.with, `environments.${env.name}.target.with`), r.handle, env.spec.stopGraceMs)
    } catch (error) {
      env.log(`could not stop ${r.id}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  for (const r of state.pending ?? []) await stopRecord(r, 'started by an operation that did not finish')
  const current = state.current
  const keep = (r: InstanceRecord) => !env.stopped && current !== undefined && r.version === current.version && r.role === 'stable' && r.failed === undefined
  for (const r of state.instances ?? []) if (!keep(r)) await stopRecord(r, env.stopped ? 'the environment was stopped' : 'not part of the last good state')
  if (env.stopped || !current) return

  const release = env.releaseOf(current)
  const restored: Slot[] = []
  for (const r of (state.instances ?? []).filter(keep)) {
    const driver = env.driverOf(r)
    const adopted = await driver.adopt(release.config, r.handle).catch(() => undefined)
    if (adopted) {
      const slot: Slot = { id: r.id, version: r.version, role: 'stable', release: r.release, target: r.target, config: release.config, handle: adopted, state: 'running', restarts: r.restarts, crashes: [] }
      env.slots.set(slot.id, slot)
      restored.push(slot)
      env.log(`adopted ${r.id} (${r.version}) at ${adopted.host}:${adopted.port}`)
    }
  }
  const missing = Math.max(0, env.spec.instances - restored.length)
  for (let i = 0; i < missing; i++) {
    const id = `${env.name}-${Math.random().toString(16).slice(2, 8)}`
    try {
      const { slot, failure } = await env.launch(release, id, 'stable', new AbortController().signal)
      if (failure) {
        env.log(`could not restore an instance of ${current.version}: ${describeFailure(failure)}`)
        await env.stopSlot(slot)
      } else restored.push(slot)
    } catch (error) {
      env.log(`could not restore an instance of ${current.version}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  env.route(restored)
  env.log(`restored ${current.version} with ${restored.length} instance(s)`)
  await env.persist()
}
