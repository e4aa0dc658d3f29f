import { PipewrightError, type AttemptOutcome } from '@pipewright/plugin-api'
import { callPlugin } from '../plugins/host.js'
import { serializeError } from '../kernel/serialize-error.js'
import { durationText } from './duration-text.js'
import type { StageExecutor, StageIO, StageJob } from './executor.js'
import { readOutputFile } from './outputs.js'
import { splitPointFromPattern } from './line-reader.js'
import { createSpawner, type ProcessRunner } from './spawner.js'

/**
 * Runs `run:` jobs as local processes (own process group, started by a small helper process so
 * the engine's memory does not slow every spawn down) and `uses:` jobs as plugin calls.
 */
export function createLocalExecutor(options: { runner?: ProcessRunner } = {}): StageExecutor {
  let runner = options.runner
  return {
    execute: (job, io) => (job.action.kind === 'run' ? runCommand(job, job.action, io, (runner ??= createSpawner())) : runPlugin(job, io)),
    close: () => runner?.close(),
  }
}

const identity = (text: string) => text

function cancelled(job: StageJob, exitCode: number | null): AttemptOutcome {
  return { ok: false, kind: 'cancelled', exitCode, error: { code: 'PW_ERR_CANCELLED', message: `Stage ${job.stageId} was cancelled` } }
}

function timedOut(job: StageJob, exitCode: number | null): AttemptOutcome {
  return { ok: false, kind: 'timeout', exitCode, error: { code: 'PW_ERR_TIMEOUT', message: `Stage ${job.stageId} timed out after ${durationText(job.timeoutMs ?? 0)}` } }
}

async function runCommand(job: StageJob, action: Extract<StageJob['action'], { kind: 'run' }>, io: StageIO, runner: ProcessRunner): Promise<AttemptOutcome> {
  const result = await runner.run({
    command: action.command,
    cwd: job.workspace,
    env: { ...job.env, PIPEWRIGHT_OUTPUT: action.outputFile },
    signal: io.signal,
    ...(job.timeoutMs !== undefined ? { timeoutMs: job.timeoutMs } : {}),
    onLine: (stream, line) => io.log(stream, line),
    splitPoint: splitPointFromPattern(io.splitPattern),
    ...(io.splitPattern ? { splitPattern: io.splitPattern } : {}),
  })
  const { outputs, problems } = await readOutputFile(action.outputFile)
  for (const [k, v] of Object.entries(outputs)) io.output(k, v)
  for (const p of problems) io.log('system', `warning: $PIPEWRIGHT_OUTPUT ${p}`)
  const cpu = result.cpuMs !== undefined ? { cpuMs: result.cpuMs } : {}
  if (result.cancelled) return { ...cancelled(job, result.exitCode), ...cpu }
  if (result.timedOut) return { ...timedOut(job, result.exitCode), ...cpu }
  if (result.spawnError) return { ok: false, kind: 'failure', exitCode: 127, error: { code: 'PW_ERR_STAGE_FAILED', message: result.spawnError } }
  if (result.exitCode !== 0) {
    return { ok: false, kind: 'failure', exitCode: result.exitCode, error: { code: 'PW_ERR_STAGE_FAILED', message: `Stage ${job.stageId} exited with code ${result.exitCode}` }, ...cpu }
  }
  return { ok: true, exitCode: 0, ...cpu }
}

async function runPlugin(job: StageJob, io: StageIO): Promise<AttemptOutcome> {
  const action = job.action as Extract<StageJob['action'], { kind: 'uses' }>
  const plugin = io.plugin
  if (!plugin) throw new PipewrightError('PW_ERR_PLUGIN_NOT_FOUND', `Stage type ${action.uses} is not provided by any loaded plugin`)
  const timeout = new AbortController()
  const ctx = plugin.context(AbortSignal.any([io.signal, timeout.signal]))
  let timer: NodeJS.Timeout | undefined
  const timedOutPromise = new Promise<'timeout'>((resolve) => {
    if (job.timeoutMs !== undefined) timer = setTimeout(() => (timeout.abort(), resolve('timeout')), job.timeoutMs)
  })
  const cancelledPromise = new Promise<'cancelled'>((resolve) => {
    if (io.signal.aborted) resolve('cancelled')
    else io.signal.addEventListener('abort', () => resolve('cancelled'), { once: true })
  })
  try {
    const call = callPlugin(plugin.pluginId, `stage ${action.uses}`, () => plugin.run(ctx, action.config)).then(() => 'done' as const)
    const outcome = await Promise.race([call, timedOutPromise, cancelledPromise])
    if (outcome === 'timeout') return timedOut(job, null)
    if (outcome === 'cancelled') return cancelled(job, null)
    return { ok: true, exitCode: 0 }
  } catch (error) {
    if (io.signal.aborted) return cancelled(job, null)
    // The kernel masks secrets in everything an outcome carries; here it only needs the shape.
    const err = serializeError(error, identity)
    io.log('stderr', `${err.code}: ${err.message}`)
    return { ok: false, kind: 'failure', exitCode: null, error: err }
  } finally {
    if (timer) clearTimeout(timer)
  }
}
