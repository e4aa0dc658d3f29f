import { definePlugin, type Plugin } from '@pipewright/plugin-api'
import type { BullmqExecutor } from './coordinator.js'

/** How often a stage waiting for a worker asks again. */
const RECHECK_MS = 1_000

/**
 * The lifecycle side of the BullMQ executor: a `run:` stage that no connected worker can take
 * (none on the queue, or none with its `runs-on` labels) waits — durably, with a reason that says
 * which worker to start — instead of sitting in Redis unexplained.
 */
export function workersPlugin(executor: Pick<BullmqExecutor, 'whyNoWorker'>): Plugin {
  return definePlugin({
    id: 'workers',
    apiVersion: 1,
    description: 'Stages wait while no worker can take them (pipewright run --queue).',
    register(api) {
      api.hooks({
        async prepare(ctx) {
          const spec = ctx.stage.spec as { run?: unknown; 'runs-on'?: string[] }
          if (spec.run === undefined) return
          const reason = await executor.whyNoWorker(spec['runs-on'] ?? [])
          return reason === undefined ? undefined : { wait: { reason, kind: 'worker', recheckMs: RECHECK_MS } }
        },
      })
    },
  })
}
