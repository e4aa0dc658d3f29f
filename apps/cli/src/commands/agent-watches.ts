import type { RunningAgent } from '@pipewright/agent'
import type { WatchHost } from '@pipewright/core'
import { dirname } from 'node:path'
import { closeQuietly, openEngine, openStore, type CommandContext } from '../context.js'

export interface AgentWatches {
  host: WatchHost
  close(): Promise<void>
}

/**
 * `pipewright agent start`: keeps the `monitors:` of the pipeline's environments that this agent
 * serves running, under the same store lease per environment as `pipewright serve`, so an
 * environment is watched once whether by a server or the agent. Environments the agent starts
 * serving later (a first deploy) are picked up at the next pass.
 */
export async function hostAgentWatches(ctx: CommandContext, file: string, home: string, running: RunningAgent, log: (line: string) => void): Promise<AgentWatches> {
  const dir = dirname(file)
  const { store } = await openStore(ctx, dir)
  const engine = await openEngine(ctx, store, dir, { home })
  const { hostWatches, watchHolderId } = await import('@pipewright/core')
  const served = async () => new Set((await running.agent.status()).environments.map((e) => e.name))
  const host = hostWatches({ engine, files: () => [file], holder: watchHolderId('agent'), accept: async (environment) => (await served()).has(environment), log })
  void host.tick()
  let closing: Promise<void> | undefined
  return {
    host,
    close: () => (closing ??= host.close().finally(() => closeQuietly(engine, store))),
  }
}
