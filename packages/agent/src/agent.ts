import type { TargetCatalog } from '@pipewright/core'
import { PipewrightError, type Logger } from '@pipewright/plugin-api'
import { Environment, portOf } from './environment.js'
import type { AgentPaths } from './paths.js'
import { AGENT_FEATURES, DeployRequest, PROTOCOL_VERSION, ProceedRequest, RollbackRequest, type AgentInfo, type AgentStatus, type DeployEvent, type DeployInput, type DeploymentResult, type EnvironmentSpec, type RollbackInput } from './protocol.js'
import { restoreEnvironment } from './restore.js'
import { StateFiles } from './state-file.js'
import { runStrategy } from './strategies.js'
import { TargetDrivers } from './target-driver.js'
import type { Release } from './slot.js'
import { zodIssues } from './validation.js'

export interface DeploymentAgentOptions {
  paths: AgentPaths
  catalog: TargetCatalog
  /** The agent's own log (the file `<home>/agent/agent.log` when it runs detached). */
  log: (line: string) => void
  version: string
}

/**
 * What the agent process does, without the socket: environments, their operations, their state
 * on disk. `server.ts` exposes it over HTTP on the unix socket.
 */
export class DeploymentAgent {
  private readonly environments = new Map<string, Environment>()
  private readonly drivers: TargetDrivers
  private readonly files: StateFiles
  readonly startedAt = Date.now()

  constructor(private readonly options: DeploymentAgentOptions) {
    const logger: Logger = {
      debug: () => undefined,
      info: (m) => options.log(m),
      warn: (m) => options.log(`warning: ${m}`),
      error: (m) => options.log(`error: ${m}`),
    }
    this.drivers = new TargetDrivers(options.catalog, options.paths.dataDir, logger)
    this.files = new StateFiles(options.paths.stateDir)
  }

  info(): AgentInfo {
    const { paths } = this.options
    return { protocol: PROTOCOL_VERSION, pid: process.pid, version: this.options.version, home: paths.home, socket: paths.socket, startedAt: this.startedAt, targets: this.drivers.list(), features: [...AGENT_FEATURES] }
  }

  private async open(spec: EnvironmentSpec): Promise<Environment> {
    const env = new Environment(spec, { drivers: this.drivers, files: this.files, log: this.options.log })
    await env.proxy.listen()
    env.supervisor.start()
    this.environments.set(spec.name, env)
    return env
  }

  /**
   * Restores every environment from its state file (at start). Resolves once each is listed
   * (busy: `restore`); `done` resolves when all are back. One that cannot be restored is logged,
   * not fatal. A stopped one gets no router.
   */
  async restore(): Promise<{ done: Promise<void> }> {
    const states = await this.files.readAll()
    const restoring: Array<Promise<void>> = []
    for (const state of states) {
      const name = state.spec?.name
      if (!name || this.environments.has(name)) continue
      const env = new Environment(state.spec, { drivers: this.drivers, files: this.files, log: this.options.log })
      this.environments.set(name, env)
      const done = (async () => {
        try {
          if (!state.stopped) await env.proxy.listen().catch((error: unknown) => env.log(`router not listening: ${error instanceof Error ? error.message : String(error)}`))
          await restoreEnvironment(env, state)
          env.supervisor.start()
        } catch (error) {
          env.log(`could not be restored: ${error instanceof Error ? error.message : String(error)}`)
        } finally {
          env.restoring = undefined
        }
      })()
      env.restoring = { since: Date.now(), done }
      restoring.push(done)
    }
    return { done: Promise.all(restoring).then(() => undefined) }
  }

  private get(name: string): Environment {
    const env = this.environments.get(name)
    if (!env) {
      throw new PipewrightError('PW_ERR_ENVIRONMENT_NOT_FOUND', `The agent serves no environment "${name}"`, {
        details: `It serves: ${[...this.environments.keys()].join(', ') || '(none yet: deploy first)'}.`,
      })
    }
    return env
  }

  /** Checks a deploy request before any operation starts; throws with every problem. */
  check(input: DeployInput): DeployRequest {
    const parsed = DeployRequest.safeParse(input)
    if (!parsed.success) throw new PipewrightError('PW_ERR_CONFIG_INVALID', 'Invalid deploy request', { problems: zodIssues(parsed.error, 'deploy') })
    const request = parsed.data
    const driver = this.drivers.get(request.environment.target)
    driver.parseConfig(request.environment.target.with, `environments.${request.environment.name}.target.with`)
    const clash = [...this.environments.values()].find((e) => e.name !== request.environment.name && e.proxy.port === portOf(request.environment.url))
    if (clash) throw new PipewrightError('PW_ERR_CONFIG_INVALID', `environments.${request.environment.name}.url: port ${clash.proxy.port} is already the url of environment ${clash.name}`)
    this.environments.get(request.environment.name)?.assertIdle()
    return request
  }

  /** `clientGone`: aborted when the client goes away (a canary awaiting verdicts then aborts). */
  async deploy(input: DeployInput, listener: (event: DeployEvent) => void = () => undefined, clientGone?: AbortSignal): Promise<DeploymentResult> {
    const request = this.check(input)
    const spec = request.environment
    const driver = this.drivers.get(spec.target)
    const config = driver.parseConfig(spec.target.with, `environments.${spec.name}.target.with`)
    let env = this.environments.get(spec.name)
    if (!env) env = await this.open(spec)
    else {
      await env.proxy.moveTo(portOf(spec.url))
      env.spec = spec
      env.supervisor.start()
    }
    env.stopped = false
    const target = env
    return env.runOperation('deploy', request.version, request.strategy.kind, driver.uses, request.meta, listener, async (op) => {
      op.phase('preparing')
      op.emit('preparing', `Preparing ${request.version} from ${request.source.directory ?? request.source.image}`)
      const prepared = await driver.prepare(spec.name, config, request.version, request.source, op.signal)
      const release: Release = { version: request.version, release: prepared, target: spec.target, config }
      await runStrategy(target, op, release, request.strategy)
      target.commit({ version: release.version, release: prepared, target: spec.target, strategy: request.strategy.kind, deployedAt: Date.now() })
    }, clientGone)
  }

  /**
   * Returns an environment to an earlier version: the previous one by default. Instances kept
   * idle by a blue-green deploy (or a canary in flight) make it a switch back, at once; otherwise
   * the recorded release is deployed again, blue-green.
   */
  async rollback(name: string, input: RollbackInput = {}, listener: (event: DeployEvent) => void = () => undefined): Promise<DeploymentResult> {
    const request = RollbackRequest.parse(input)
    const env = this.get(name)
    if (env.operation) {
      const inFlight = env.operation.info
      await env.abort('rollback requested')
      return env.runOperation('rollback', env.current?.version ?? inFlight.version, 'switch-back', env.spec.target.uses, request.meta, listener, async (op) => {
        op.emit('note', `Aborted the ${inFlight.kind} of ${inFlight.version}: all traffic is back on ${env.current?.version ?? 'the stable version'}`)
      })
    }
    const version = request.toVersion ?? env.previous?.version
    if (!version) throw new PipewrightError('PW_ERR_DEPLOYMENT_FAILED', `${name} has no previous version to roll back to`, { details: 'Deploy a version explicitly instead.' })
    if (version === env.current?.version) throw new PipewrightError('PW_ERR_DEPLOYMENT_FAILED', `${name} already serves ${version}`, { details: 'Name another version with --to.' })
    const record = env.releases.find((r) => r.version === version)
    if (!record) {
      throw new PipewrightError('PW_ERR_DEPLOYMENT_FAILED', `${name} never ran ${version} (as far as this agent remembers)`, { details: `Known versions: ${env.releases.map((r) => r.version).join(', ')}.` })
    }
    const kept = env.slotsWith('previous').filter((s) => s.version === version && s.state === 'running')
    return env.runOperation('rollback', version, kept.length > 0 ? 'switch-back' : 'blue-green', record.target.uses, request.meta, listener, async (op) => {
      const old = env.slotsWith('stable')
      let fresh = kept
      if (fresh.length === 0) {
        op.phase('starting')
        fresh = await op.startInstances(env.releaseOf(record), env.spec.instances, 'canary')
      }
      op.phase('switching')
      env.route(fresh)
      op.emit('traffic', `Switched all traffic back to ${version}`, { stable: 0, canary: 100 })
      op.phase('draining')
      await op.retire(old, 'rolled back')
      env.commit({ ...record, strategy: kept.length > 0 ? 'switch-back' : 'blue-green', deployedAt: Date.now() })
    })
  }

  abort(name: string, reason = 'aborted by request'): Promise<boolean> {
    return this.get(name).abort(reason)
  }

  /** The client's verdict on a canary step awaiting one: go on. False when none is due (finished, aborted, another step). */
  proceed(name: string, input: unknown): boolean {
    const parsed = ProceedRequest.safeParse(input)
    if (!parsed.success) throw new PipewrightError('PW_ERR_USAGE', 'Invalid verdict', { problems: zodIssues(parsed.error, 'proceed') })
    const op = this.get(name).operation
    return op !== undefined && op.id === parsed.data.operation && op.proceed(parsed.data.step)
  }

  async status(): Promise<AgentStatus> {
    return { agent: this.info(), environments: await Promise.all([...this.environments.values()].map((e) => e.status())) }
  }

  /** Stops an environment's instances and router, and forgets it (its state file too). */
  async remove(name: string): Promise<void> {
    const env = this.get(name)
    await env.shutdown(true)
    this.environments.delete(name)
    await this.files.remove(name)
  }

  /**
   * Stops every router. Instances keep running (a restarted agent adopts them), unless `all`:
   * then they are stopped too, and their environments are not restored until deployed again.
   */
  async shutdown(all: boolean): Promise<void> {
    await Promise.all([...this.environments.values()].map((e) => e.shutdown(all)))
  }
}

