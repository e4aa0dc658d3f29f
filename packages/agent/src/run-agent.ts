import { rm, unlink, writeFile } from 'node:fs/promises'
import { mkdirSync } from 'node:fs'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { loadTargets, type PluginInput } from '@pipewright/core'
import { isPlugin } from '@pipewright/plugin-api'
import { DeploymentAgent } from './agent.js'
import { probeAgent } from './client.js'
import { agentPaths, checkSocketPath } from './paths.js'
import { serveAgent } from './server.js'
import { acquireStartLock } from './start-lock.js'

/** The first-party plugins whose targets every agent has. */
export const FIRST_PARTY_TARGET_PLUGINS = ['@pipewright/plugin-deploy', '@pipewright/plugin-docker'] as const

export interface RunAgentOptions {
  home: string
  /** More plugins (objects, package names resolved from `cwd`, or paths). */
  plugins?: PluginInput[]
  cwd?: string
  /** Where log lines go (default: stdout, with a timestamp). */
  log?: (line: string) => void
  /**
   * Called when the agent starts stopping (a signal or a stop request), before its routers stop:
   * what watches its environments stops first, so the routers going away raise no alert.
   */
  beforeStop?: () => Promise<void> | void
}

export interface RunningAgent {
  agent: DeploymentAgent
  /** Resolves when the agent has stopped (by request or signal). */
  closed: Promise<void>
  stop(all: boolean): Promise<void>
}

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

async function firstParty(log: (line: string) => void): Promise<PluginInput[]> {
  const inputs: PluginInput[] = []
  for (const name of FIRST_PARTY_TARGET_PLUGINS) {
    try {
      const mod = (await import(name)) as { default?: unknown }
      if (isPlugin(mod.default)) inputs.push({ package: mod.default, name })
    } catch (error) {
      log(`warning: first-party plugin ${name} did not load: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  return inputs
}

/**
 * Runs the agent in this process: takes the socket (unless a live agent has it: then resolves
 * to undefined), serves, restores every environment, and stops on request or SIGTERM/SIGINT.
 */
export async function runAgent(options: RunAgentOptions): Promise<RunningAgent | undefined> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`))
  const paths = agentPaths(options.home)
  checkSocketPath(paths)
  mkdirSync(paths.stateDir, { recursive: true })
  const release = await acquireStartLock(paths)
  let server: Server
  let agent: DeploymentAgent
  try {
    const other = await probeAgent(paths.home)
    if (other) {
      log(`an agent already runs for ${paths.home} (pid ${other.pid}); this one exits`)
      return undefined
    }
    // Nobody answers: a socket file left there is a dead agent's.
    await unlink(paths.socket).catch(() => undefined)
    const catalog = await loadTargets([...(await firstParty(log)), ...(options.plugins ?? [])], {
      cwd: options.cwd ?? process.cwd(),
      logger: { debug: () => undefined, info: log, warn: (m) => log(`warning: ${m}`), error: (m) => log(`error: ${m}`) },
    })
    agent = new DeploymentAgent({ paths, catalog, log, version })
    let stopping: Promise<void> | undefined
    const stop = (all: boolean): Promise<void> => (stopping ??= shutdown(all))
    // Environments are listed (as being restored) before the socket answers; restoring goes on behind.
    const restored = await agent.restore()
    server = await serveAgent(agent, paths.socket, (all) => void stop(all))
    await writeFile(paths.pidFile, String(process.pid))
    log(`agent ${version} (pid ${process.pid}) listening on ${paths.socket}; targets: ${catalog.list().join(', ')}`)

    let resolveClosed!: () => void
    const closed = new Promise<void>((r) => (resolveClosed = r))
    async function shutdown(all: boolean): Promise<void> {
      await Promise.resolve(options.beforeStop?.()).catch((error: unknown) => log(`stopping: ${error instanceof Error ? error.message : String(error)}`))
      log(all ? 'stopping: routers and every instance' : 'stopping: routers (instances keep running)')
      await agent.shutdown(all)
      // Under the start lock, so a new agent never has its fresh socket removed by this one.
      const unlock = await acquireStartLock(paths).catch(() => undefined)
      await new Promise<void>((r) => server.close(() => r()))
      server.closeAllConnections()
      await rm(paths.socket, { force: true })
      await rm(paths.pidFile, { force: true })
      await unlock?.()
      log('stopped')
      resolveClosed()
    }
    const onSignal = () => void stop(false)
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
    void restored.done.then(
      () => log('restore finished'),
      (error: unknown) => log(`restore failed: ${error instanceof Error ? error.message : String(error)}`),
    )
    return { agent, closed, stop }
  } finally {
    await release()
  }
}
