import { PipewrightError } from '@pipewright/plugin-api'
import { agentPaths, checkSocketPath } from './paths.js'
import { PROTOCOL_VERSION, type AgentInfo, type AgentStatus, type DeployEvent, type DeployInput, type DeploymentResult, type ProceedRequest, type RollbackInput } from './protocol.js'
import { spawnAgent, type SpawnAgentOptions } from './spawn.js'
import { call, errorFromJson } from './transport.js'

export interface OperationOptions {
  /** Each progress event, as it happens (turn them into stage log lines). */
  onEvent?: (event: DeployEvent) => void
  /** Aborting asks the agent to abort the operation (a canary gives all traffic back at once). */
  signal?: AbortSignal
}

/** A connection to the deployment agent of one Pipewright home. */
export interface AgentClient {
  readonly home: string
  readonly socket: string
  info(): Promise<AgentInfo>
  status(): Promise<AgentStatus>
  /**
   * Deploys a version to an environment (created on first deploy) with a strategy. Resolves with
   * the result whatever the outcome (`succeeded`, `failed`, `aborted`); rejects only when the
   * request is refused up front (invalid config, unknown target, environment busy) or the agent
   * is unreachable.
   */
  deploy(request: DeployInput, options?: OperationOptions): Promise<DeploymentResult>
  /** Rolls an environment back (to the previous version, or `toVersion`). Same contract as `deploy`. */
  rollback(environment: string, request?: RollbackInput, options?: OperationOptions): Promise<DeploymentResult>
  /** Aborts the operation in flight (`reason` goes into its result); false when there was none. */
  abort(environment: string, reason?: string): Promise<boolean>
  /** The verdict on a canary step awaiting one (`awaitVerdicts`): go on. False when none was due. */
  proceed(environment: string, verdict: ProceedRequest): Promise<boolean>
  /** Stops an environment's instances and router and forgets it. */
  remove(environment: string): Promise<void>
  /**
   * Stops the agent: its routers close; instances keep running for the next agent to adopt, unless
   * `all` (then they are stopped too). Resolves once the agent process has gone.
   */
  stop(options?: { all?: boolean; timeoutMs?: number }): Promise<void>
}

async function expectOk<T>(socket: string, method: string, path: string, body?: unknown): Promise<T> {
  const reply = await call(socket, method, path, body)
  if (reply.status !== 200) throw errorFromJson(reply.body, `agent answered ${reply.status} to ${method} ${path}`)
  return reply.body as T
}

async function operation(socket: string, path: string, body: unknown, environment: () => string, options: OperationOptions): Promise<DeploymentResult> {
  let result: DeploymentResult | undefined
  let failure: unknown
  const onAbort = () => void call(socket, 'POST', `/v1/environments/${encodeURIComponent(environment())}/abort`).catch(() => undefined)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const reply = await call(socket, 'POST', path, body, (line) => {
      const l = line as { type: string; event?: DeployEvent; result?: DeploymentResult }
      if (l.type === 'event' && l.event) options.onEvent?.(l.event)
      else if (l.type === 'result') result = l.result
      else if (l.type === 'error') failure = errorFromJson(l, 'the operation failed')
    })
    if (reply.status !== 200) throw errorFromJson(reply.body, `agent answered ${reply.status}`)
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }
  if (failure) throw failure
  if (!result) throw new PipewrightError('PW_ERR_AGENT_UNAVAILABLE', 'The agent ended the operation without a result (did it stop?)')
  return result
}

function clientFor(home: string, socket: string): AgentClient {
  return {
    home,
    socket,
    info: () => expectOk(socket, 'GET', '/v1/info'),
    status: () => expectOk(socket, 'GET', '/v1/status'),
    deploy: (request, options = {}) => operation(socket, '/v1/deploy', request, () => (request.environment as { name: string }).name, options),
    rollback: (environment, request = {}, options = {}) => operation(socket, `/v1/environments/${encodeURIComponent(environment)}/rollback`, request, () => environment, options),
    abort: async (environment, reason) => (await expectOk<{ aborted: boolean }>(socket, 'POST', `/v1/environments/${encodeURIComponent(environment)}/abort`, reason ? { reason } : undefined)).aborted,
    proceed: async (environment, verdict) => (await expectOk<{ proceeded: boolean }>(socket, 'POST', `/v1/environments/${encodeURIComponent(environment)}/proceed`, verdict)).proceeded,
    remove: async (environment) => void (await expectOk(socket, 'DELETE', `/v1/environments/${encodeURIComponent(environment)}`)),
    async stop(options = {}) {
      const { pid } = await expectOk<{ pid: number }>(socket, 'POST', '/v1/stop', { all: options.all === true })
      const deadline = Date.now() + (options.timeoutMs ?? 60_000)
      while (Date.now() < deadline) {
        if (!processAlive(pid)) return
        await new Promise((r) => setTimeout(r, 50))
      }
      throw new PipewrightError('PW_ERR_AGENT_UNAVAILABLE', `The agent (pid ${pid}) did not stop within ${options.timeoutMs ?? 60_000} ms`)
    },
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The running agent's info, or undefined when none answers on the socket (absent or stale). */
export async function probeAgent(home: string): Promise<AgentInfo | undefined> {
  const paths = agentPaths(home)
  try {
    const reply = await call(paths.socket, 'GET', '/v1/info', undefined, undefined, 5_000)
    return reply.status === 200 ? (reply.body as AgentInfo) : undefined
  } catch {
    return undefined
  }
}

function checkProtocol(info: AgentInfo): void {
  if (info.protocol !== PROTOCOL_VERSION) {
    throw new PipewrightError('PW_ERR_AGENT_UNAVAILABLE', `The agent running for ${info.home} (pid ${info.pid}, ${info.version}) speaks protocol ${info.protocol}; this Pipewright speaks ${PROTOCOL_VERSION}`, {
      details: 'Stop it with `pipewright agent stop` (its instances keep running) and deploy again: a new agent adopts them.',
    })
  }
}

/** Connects to the agent of `home`; PW_ERR_AGENT_UNAVAILABLE when none runs. */
export async function connectAgent(home: string): Promise<AgentClient> {
  const paths = agentPaths(home)
  checkSocketPath(paths)
  const info = await probeAgent(home)
  if (!info) {
    throw new PipewrightError('PW_ERR_AGENT_UNAVAILABLE', `No deployment agent runs for ${paths.home}`, {
      details: 'A deploy starts one; `pipewright agent start` runs one in the foreground.',
    })
  }
  checkProtocol(info)
  return clientFor(paths.home, paths.socket)
}

export type EnsureAgentOptions = SpawnAgentOptions

/**
 * Connects to the agent of `home`, starting one (detached, logging to `<home>/agent/agent.log`)
 * when none runs. Safe to call from several processes at once: one agent wins, the others are
 * reused. A socket left by a dead agent is replaced.
 */
export async function ensureAgent(home: string, options: EnsureAgentOptions = {}): Promise<AgentClient> {
  const paths = agentPaths(home)
  checkSocketPath(paths)
  const running = await probeAgent(home)
  if (running) {
    checkProtocol(running)
    return clientFor(paths.home, paths.socket)
  }
  const info = await spawnAgent(paths, options, () => probeAgent(home))
  checkProtocol(info)
  return clientFor(paths.home, paths.socket)
}
