import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PipewrightError } from '@pipewright/plugin-api'
import type { AgentPaths } from './paths.js'
import type { AgentInfo } from './protocol.js'

export interface SpawnAgentOptions {
  /**
   * Plugin packages whose targets the agent loads besides the first-party ones
   * (`@pipewright/plugin-deploy`, `@pipewright/plugin-docker`): package names, resolved from `cwd`,
   * or absolute paths.
   */
  plugins?: string[]
  /** Where plugin package names resolve from, and the agent's working directory (default: the home). */
  cwd?: string
  /** How long to wait for the agent's socket to answer (default 30 s). */
  startTimeoutMs?: number
  /** Variables for the agent process (and so for the instances it starts) on top of this process's. */
  env?: Record<string, string>
}

/**
 * The agent's entry: the built `main.js` beside this module, or — when this module runs from the
 * sources (the monorepo's tests) — the package's build in `dist/`.
 */
export function agentEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const candidate of [join(here, 'main.js'), join(here, '../dist/main.js')]) if (existsSync(candidate)) return candidate
  throw new PipewrightError('PW_ERR_AGENT_UNAVAILABLE', `The agent's entry main.js is not built (looked beside ${here})`, { details: 'Run `pnpm --filter @pipewright/agent build`.' })
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/** Starts an agent process detached from this one and waits until it answers on its socket. */
export async function spawnAgent(paths: AgentPaths, options: SpawnAgentOptions, probe: () => Promise<AgentInfo | undefined>): Promise<AgentInfo> {
  mkdirSync(paths.dataDir, { recursive: true })
  const env: Record<string, string> = {}
  // The agent outlives this process: it gets no secrets of the run that started it.
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PIPEWRIGHT_SECRET_')) env[k] = v
  Object.assign(env, options.env)
  const args = [agentEntry(), '--home', paths.home, ...(options.plugins ?? []).flatMap((p) => ['--plugin', p])]
  const fd = openSync(paths.logFile, 'a')
  let exit: { code: number | null } | undefined
  try {
    const child = spawn(process.execPath, args, { cwd: options.cwd ?? paths.home, env, detached: true, stdio: ['ignore', fd, fd] })
    child.once('exit', (code) => (exit = { code }))
    child.once('error', (error) => (exit = { code: -1, ...{ error } }))
    child.unref()
  } finally {
    closeSync(fd)
  }
  const timeoutMs = options.startTimeoutMs ?? 30_000
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const info = await probe()
    if (info) return info
    // Exit 0 means another agent won the race to start: keep asking, it answers soon.
    if (exit && exit.code !== 0) break
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new PipewrightError('PW_ERR_AGENT_UNAVAILABLE', `The deployment agent for ${paths.home} did not start${exit ? ` (exit code ${exit.code})` : ` within ${timeoutMs} ms`}. Its log (${paths.logFile}) ends:\n${tail(paths.logFile)}`)
}
