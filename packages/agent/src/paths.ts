import { join, resolve } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'

/** Where the agent of one Pipewright home keeps its socket, state and logs. */
export interface AgentPaths {
  home: string
  /** `<home>/agent.sock`: the agent's only control channel (HTTP/JSON, mode 0600). */
  socket: string
  /** `<home>/agent/`: state, target data (release copies, instance logs), the agent's log. */
  dataDir: string
  /** `<home>/agent/environments/<name>.json`: each environment's last good state. */
  stateDir: string
  /** `<home>/agent/agent.log`: what a detached agent prints. */
  logFile: string
  /** `<home>/agent/agent.pid`. */
  pidFile: string
  /** `<home>/agent/starting.lock/`: held while an agent takes over the socket. */
  lockDir: string
}

// sun_path is 108 bytes on Linux, including the terminating NUL.
const MAX_SOCKET_PATH = 107

export function agentPaths(home: string): AgentPaths {
  const abs = resolve(home)
  const dataDir = join(abs, 'agent')
  return {
    home: abs,
    socket: join(abs, 'agent.sock'),
    dataDir,
    stateDir: join(dataDir, 'environments'),
    logFile: join(dataDir, 'agent.log'),
    pidFile: join(dataDir, 'agent.pid'),
    lockDir: join(dataDir, 'starting.lock'),
  }
}

/** Unix socket paths are short: refuse a home whose socket path would not fit, saying what to do. */
export function checkSocketPath(paths: AgentPaths): void {
  if (Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH) {
    throw new PipewrightError('PW_ERR_AGENT_UNAVAILABLE', `The agent socket path ${paths.socket} is longer than ${MAX_SOCKET_PATH} bytes, which unix sockets do not allow`, {
      details: 'Use a shorter Pipewright home (--home or PIPEWRIGHT_HOME).',
    })
  }
}
