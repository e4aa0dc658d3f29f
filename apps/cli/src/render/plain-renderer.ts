import type { RunResult } from '@pipewright/core'
import type { EventSource, PipewrightEvents } from '@pipewright/plugin-api'
import { formatDuration, formatElapsed, statusSymbol } from '../format.js'
import { println, type Colors, type OutputStream } from '../io.js'
import type { RunRenderer } from './renderer.js'

type Finished = PipewrightEvents['stage:finished']

/** The words after the symbol on a finished stage's line: `exit 1`, `timed out after 2s`, `cached`, the error … */
export function finishedDetail(e: Pick<Finished, 'status' | 'exitCode' | 'error'>): string {
  switch (e.status) {
    case 'failed':
      // A timed-out command was killed by the engine: its exit code (143) says nothing.
      if (e.error?.code === 'PW_ERR_TIMEOUT') return ` ${/timed out after \S+/.exec(e.error.message)?.[0] ?? 'timed out'}`
      // A non-zero exit says it all for a command.
      if (e.exitCode !== null && e.exitCode !== 0 && (!e.error || e.error.code === 'PW_ERR_STAGE_FAILED')) return ` exit ${e.exitCode}`
      return e.error ? ` ${e.error.code}: ${e.error.message}` : ' failed'
    case 'succeeded':
      return ''
    default:
      return ` ${e.status}`
  }
}

/** Whether a finished stage actually ran (a stage cancelled before it started has no timing). */
export function ranFor(e: Pick<Finished, 'status' | 'durationMs'>): boolean {
  return !(e.status === 'skipped' || e.status === 'cached' || (e.status === 'cancelled' && e.durationMs === 0))
}

/**
 * How long a running stage may stay silent before a `<stage> still running (1m30s)` line says it
 * is alive; the line repeats after each further such silence. Long enough that chatty stages never
 * get one, short enough that a CI log never looks stuck.
 */
export const PROGRESS_INTERVAL_MS = 30_000

export interface PlainRendererOptions {
  /** Silence before a "still running" line, in ms (default PROGRESS_INTERVAL_MS); 0 turns the lines off. */
  progressIntervalMs?: number
}

/**
 * One line per event, for logs and pipes: `▶ lint`, `lint │ …`, `✓ lint (1.2s)`,
 * `✗ test[node=20] exit 1 (0.4s)`, and `build still running (1m30s)` for a stage silent for a
 * while. Nothing is ever redrawn.
 */
/** Durations as waiting reasons write them (`1.503s`, `2m30s`, `750ms`): the part of a reason that changes as time passes. */
const ELAPSED = /\b\d+(?:\.\d+)?(?:ms|h|m|s)(?:\d+(?:\.\d+)?(?:ms|m|s))*\b/g

export function createPlainRenderer(out: OutputStream, c: Colors, options: PlainRendererOptions = {}): RunRenderer {
  const line = (s: string) => println(out, s)
  const interval = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS
  // A stage's timer fires after `interval` since its last output; output only moves `lastHeard`
  // (a chatty stage prints thousands of lines a second: no timer work per line).
  const running = new Map<string, { startedAt: number; lastHeard: number; timer: NodeJS.Timeout }>()
  /** The last waiting line printed per stage, its durations masked. */
  const waitShown = new Map<string, string>()

  const arm = (stageId: string, delay: number) => {
    const timer = setTimeout(() => {
      const stage = running.get(stageId)
      if (!stage) return
      const silentFor = Date.now() - stage.lastHeard
      if (silentFor < interval) return arm(stageId, interval - silentFor)
      line(c.dim(`${stageId} still running (${formatElapsed(Date.now() - stage.startedAt)})`))
      stage.lastHeard = Date.now()
      arm(stageId, interval)
    }, delay)
    timer.unref()
    const stage = running.get(stageId)
    if (stage) stage.timer = timer
  }
  const watch = (stageId: string, startedAt: number) => {
    if (interval <= 0) return
    running.set(stageId, { startedAt, lastHeard: Date.now(), timer: undefined as unknown as NodeJS.Timeout })
    arm(stageId, interval)
  }
  const heard = (stageId: string) => {
    const stage = running.get(stageId)
    if (stage) stage.lastHeard = Date.now()
  }
  const forget = (stageId: string) => {
    clearTimeout(running.get(stageId)?.timer)
    running.delete(stageId)
  }

  return {
    attach(events: EventSource) {
      events.on('run:started', (e) => {
        line(c.dim(`${e.resumed ? 'resuming' : 'run'} ${e.runId} · ${e.pipeline} · ${e.stages.length} stage${e.stages.length === 1 ? '' : 's'}`))
      })
      events.on('stage:started', (e) => {
        forget(e.stageId)
        watch(e.stageId, Date.now())
        line(`${c.cyan('▶')} ${c.bold(e.stageId)}${e.attempt > 1 ? c.dim(` (attempt ${e.attempt})`) : ''}`)
      })
      events.on('stage:log', (e) => {
        heard(e.stageId)
        line(`${c.dim(`${e.stageId} │`)} ${e.stream === 'system' ? c.dim(e.line) : e.line}`)
      })
      // Retries, gate verdicts and cache hits arrive as the engine's own `system` log lines.
      events.on('stage:waiting', (e) => {
        // A verifying or analyzing stage refreshes its reason as time passes: say it again only when more than the clock moved.
        const gist = `${e.kind} ${e.reason.replace(ELAPSED, '…')}`
        if (waitShown.get(e.stageId) === gist) return
        waitShown.set(e.stageId, gist)
        line(c.yellow(`⏸ ${e.stageId} waiting: ${e.reason}`))
      })
      events.on('stage:finished', (e) => {
        forget(e.stageId)
        waitShown.delete(e.stageId)
        const timing = ranFor(e) ? c.dim(` (${formatDuration(e.durationMs)})`) : ''
        line(`${statusSymbol(e.status, c)} ${c.bold(e.stageId)}${finishedDetail(e)}${timing}`)
      })
    },
    note: line,
    stop(_result?: RunResult) {
      for (const stageId of [...running.keys()]) forget(stageId)
    },
  }
}
