import type { RunResult } from '@pipewright/core'
import type { EventSource, PipewrightEvents } from '@pipewright/plugin-api'
import { formatDuration, statusSymbol } from '../format.js'
import { println, type Colors, type OutputStream } from '../io.js'
import type { RunRenderer } from './renderer.js'

type Finished = PipewrightEvents['stage:finished']

/** The words after the symbol on a finished stage's line: `exit 1`, `timed out after 2s`, `cached`, the error … */
export function finishedDetail(e: Pick<Finished, 'status' | 'exitCode' | 'error'>): string {
  switch (e.status) {
    case 'failed':
      // A timed-out command was killed by the engine: its exit code (143) says nothing.
      if (e.error?.code === 'PW_ERR_TIMEOUT') return ` ${/timed out after \S+/.exec(e.error.message)?.[0] ?? 'timed out'}`
      if (e.exitCode !== null && e.exitCode !== 0) return ` exit ${e.exitCode}`
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
 * One line per event, for logs and pipes: `▶ lint`, `lint │ …`, `✓ lint (1.2s)`,
 * `✗ test[node=20] exit 1 (0.4s)`. Nothing is ever redrawn.
 */
export function createPlainRenderer(out: OutputStream, c: Colors): RunRenderer {
  const line = (s: string) => println(out, s)
  return {
    attach(events: EventSource) {
      events.on('run:started', (e) => {
        line(c.dim(`${e.resumed ? 'resuming' : 'run'} ${e.runId} · ${e.pipeline} · ${e.stages.length} stage${e.stages.length === 1 ? '' : 's'}`))
      })
      events.on('stage:started', (e) => line(`${c.cyan('▶')} ${c.bold(e.stageId)}${e.attempt > 1 ? c.dim(` (attempt ${e.attempt})`) : ''}`))
      events.on('stage:log', (e) => line(`${c.dim(`${e.stageId} │`)} ${e.stream === 'system' ? c.dim(e.line) : e.line}`))
      // Retries, gate verdicts and cache hits arrive as the engine's own `system` log lines.
      events.on('approval:requested', (e) => line(c.yellow(`⏸ ${e.stageId} waits for approval (${e.gate}${e.environment ? `, ${e.environment}` : ''})`)))
      events.on('stage:finished', (e) => {
        const timing = ranFor(e) ? c.dim(` (${formatDuration(e.durationMs)})`) : ''
        line(`${statusSymbol(e.status, c)} ${c.bold(e.stageId)}${finishedDetail(e)}${timing}`)
      })
    },
    note: line,
    stop(_result?: RunResult) {},
  }
}
