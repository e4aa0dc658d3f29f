import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { PipewrightError, type InstanceHandle, type InstanceLiveness, type TargetContext, type TargetDefinition } from '@pipewright/plugin-api'
import { capLogFile } from './log-file.js'
import { isRunning, procInfo } from './proc.js'
import { stageRelease } from './release.js'
import { ProcessTargetConfig } from './schemas.js'

type Exit = { code: number | null; signal: NodeJS.Signals | null }

/** How processes this agent started ended (an adopted process's end is only seen through /proc). */
const exits = new Map<number, Exit>()
/** Processes this agent started, until Node reports their exit. */
const running = new Map<number, Promise<Exit>>()

interface ProcessData {
  log: string
  startTime: string
  stopSignal: string
}

function dataOf(handle: InstanceHandle): Partial<ProcessData> {
  return (handle.data ?? {}) as Partial<ProcessData>
}

// Whatever the agent runs with, minus Pipewright's own secrets: an instance gets its env explicitly.
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('PIPEWRIGHT_SECRET_')) env[key] = value
  }
  return env
}

function exitReason(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`
}

async function launch(ctx: TargetContext, config: ProcessTargetConfig, spec: Parameters<TargetDefinition['start']>[2]): Promise<InstanceHandle> {
  const releaseDir = spec.release.directory
  if (!releaseDir) {
    throw new PipewrightError('PW_ERR_DEPLOY_ARTIFACTS', `deploy/process: version ${spec.version} of ${spec.environment} has no artifact directory`, {
      details: 'deploy/process runs a build\'s files: deploy with `from: <directory>`, not an image (use docker/container for images).',
    })
  }
  const logDir = join(ctx.dataDir, 'logs', spec.environment)
  mkdirSync(logDir, { recursive: true })
  const log = join(logDir, `${spec.id}.log`)
  const fd = openSync(log, 'a')
  const [file, ...args] = typeof config.command === 'string' ? ['/bin/sh', '-c', config.command] : config.command
  let child
  try {
    // detached: its own session and process group, so `stop` reaches every process of the
    // instance, and the instance outlives the agent (a restarted agent adopts it).
    child = spawn(file!, args, {
      cwd: config.cwd ? join(releaseDir, config.cwd) : releaseDir,
      env: { ...baseEnv(), ...config.env, ...spec.env, PORT: String(spec.port) },
      detached: true,
      stdio: ['ignore', fd, fd],
    })
  } finally {
    closeSync(fd)
  }
  const spawned = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!))
    child.once('error', reject)
  }).catch((cause: NodeJS.ErrnoException) => {
    throw new PipewrightError('PW_ERR_DEPLOY_START', `deploy/process: instance ${spec.id} of ${spec.environment} could not start: ${cause.message}`, { cause })
  })
  running.set(
    spawned,
    new Promise<Exit>((resolve) =>
      child.once('exit', (code, signal) => {
        exits.set(spawned, { code, signal })
        running.delete(spawned)
        resolve({ code, signal })
      }),
    ),
  )
  child.unref()
  return {
    id: spec.id,
    target: ctx.target,
    environment: spec.environment,
    version: spec.version,
    host: spec.host,
    port: spec.port,
    pid: spawned,
    startedAt: Date.now(),
    data: { log, startTime: procInfo(spawned)?.startTime ?? '', stopSignal: config['stop-signal'] },
  }
}

async function liveness(handle: InstanceHandle): Promise<InstanceLiveness> {
  const pid = handle.pid
  if (pid === undefined) return { alive: false, reason: 'no process id' }
  if (isRunning(pid, dataOf(handle).startTime)) return { alive: true }
  // Our own child: /proc may see it gone a moment before Node reports how it ended.
  const ending = running.get(pid)
  const exit = exits.get(pid) ?? (ending ? await Promise.race([ending, new Promise<undefined>((r) => setTimeout(() => r(undefined), 500).unref())]) : undefined)
  return exit ? { alive: false, reason: exitReason(exit), exitCode: exit.code } : { alive: false, reason: 'the process is gone' }
}

async function waitGone(handle: InstanceHandle, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (!(await liveness(handle)).alive) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return !(await liveness(handle)).alive
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/** `deploy/process`: one local process (group) per instance, from a copy of the artifact directory. */
export const processTarget: TargetDefinition<ProcessTargetConfig> = {
  description: 'Runs each instance as a local process group on a 127.0.0.1 port, from a per-version copy of the artifact directory.',
  configSchema: ProcessTargetConfig,
  async prepare(ctx, _config, release) {
    if (!release.directory) {
      throw new PipewrightError('PW_ERR_DEPLOY_ARTIFACTS', `deploy/process: version ${release.version} of ${release.environment} names no artifact directory`, {
        details: 'Deploy with `from: <directory>`; images are for docker/container.',
      })
    }
    return { directory: await stageRelease(join(ctx.dataDir, 'releases'), release.environment, release.version, release.directory) }
  },
  start: launch,
  async stop(_ctx, _config, handle, { graceMs }) {
    const pid = handle.pid
    // A leader that is gone (or a recycled pid) is never signalled: the group id could belong to someone else.
    if (pid === undefined || !(await liveness(handle)).alive) return
    signalGroup(pid, (dataOf(handle).stopSignal ?? 'SIGTERM') as NodeJS.Signals)
    if (await waitGone(handle, graceMs)) return
    signalGroup(pid, 'SIGKILL')
    await waitGone(handle, 5_000)
  },
  async check(_ctx, config, handle) {
    const log = dataOf(handle).log
    if (log) capLogFile(log, config['log-max-bytes'])
    return liveness(handle)
  },
  async adopt(_ctx, _config, handle) {
    return (await liveness(handle)).alive ? handle : undefined
  },
}
