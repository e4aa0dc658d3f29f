import type { RunResult } from '@pipewright/core'
import type { EventSource, StageStatus } from '@pipewright/plugin-api'
import { createLogUpdate } from 'log-update'
import { stripVTControlCharacters } from 'node:util'
import { formatDuration, statusSymbol } from '../format.js'
import { println, type Colors, type OutputStream } from '../io.js'
import { finishedDetail } from './plain-renderer.js'
import type { RunRenderer } from './renderer.js'

/** A terminal can't show more than this usefully; 10 frames a second is smooth without flooding. */
const FRAME_MS = 100
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const TAIL_LINES = 15

interface StageView {
  id: string
  depth: number
  status: StageStatus
  attempt: number
  startedAt?: number
  durationMs?: number
  exitCode: number | null
  error?: { code: string; message: string }
  lastLine?: string
  tail: string[]
  waiting?: string
}

/** Depth of each stage in the DAG (longest path from a root), for the indented tree. */
export function stageDepths(stages: Array<{ id: string; needs: string[] }>): Map<string, number> {
  const byId = new Map(stages.map((s) => [s.id, s]))
  const depth = new Map<string, number>()
  const visit = (id: string, seen: Set<string>): number => {
    const known = depth.get(id)
    if (known !== undefined) return known
    const stage = byId.get(id)
    if (!stage || seen.has(id)) return 0
    seen.add(id)
    const d = stage.needs.length === 0 ? 0 : 1 + Math.max(...stage.needs.map((n) => visit(n, seen)))
    depth.set(id, d)
    return d
  }
  for (const s of stages) visit(s.id, new Set())
  return depth
}

/**
 * The interactive view: the stage tree with status symbols, timings and each running stage's
 * latest line, redrawn in place. Failed stages' last lines are printed once the run ends.
 */
export function createLiveRenderer(
  out: OutputStream,
  c: Colors,
  planOf: (runId: string) => Promise<Array<{ id: string; needs: string[] }> | undefined>,
): RunRenderer {
  const log = createLogUpdate(out as NodeJS.WritableStream, { showCursor: false })
  const stages = new Map<string, StageView>()
  let header = ''
  let frame = 0
  let dirty = false
  let timer: NodeJS.Timeout | undefined

  const view = (id: string): StageView => {
    let s = stages.get(id)
    if (!s) {
      s = { id, depth: 0, status: 'pending', attempt: 0, exitCode: null, tail: [] }
      stages.set(id, s)
    }
    return s
  }

  const width = () => Math.max(40, (out.columns ?? 100) - 1)
  const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)

  const render = () => {
    dirty = false
    frame = (frame + 1) % SPINNER.length
    const now = Date.now()
    const lines = [header]
    for (const s of stages.values()) {
      const indent = '  '.repeat(s.depth)
      const symbol = s.status === 'running' ? c.cyan(SPINNER[frame] ?? '▶') : statusSymbol(s.status, c)
      const elapsed = s.status === 'running' && s.startedAt !== undefined ? now - s.startedAt : s.durationMs
      const timing = s.status === 'pending' || s.status === 'skipped' || s.status === 'cached' ? '' : c.dim(` ${formatDuration(elapsed)}`)
      const attempt = s.attempt > 1 ? c.dim(` attempt ${s.attempt}`) : ''
      const detail = s.status === 'running' || s.status === 'pending' ? '' : finishedDetail(s)
      lines.push(`${indent}${symbol} ${s.status === 'pending' ? c.dim(s.id) : c.bold(s.id)}${detail}${attempt}${timing}`)
      if (s.waiting) lines.push(`${indent}    ${c.yellow(s.waiting)}`)
      else if (s.status === 'running' && s.lastLine) lines.push(`${indent}    ${c.dim(clip(s.lastLine, width() - indent.length - 4))}`)
    }
    log(lines.join('\n'))
  }
  const touch = () => {
    dirty = true
  }

  return {
    attach(events: EventSource) {
      events.on('run:started', (e) => {
        header = c.dim(`${e.resumed ? 'resuming' : 'run'} ${e.runId} · ${e.pipeline}`)
        for (const id of e.stages) view(id)
        void planOf(e.runId)
          .then((plan) => {
            if (!plan) return
            const depths = stageDepths(plan)
            for (const s of plan) view(s.id).depth = depths.get(s.id) ?? 0
            touch()
          })
          .catch(() => undefined)
        touch()
        timer ??= setInterval(() => {
          // Running stages' timers tick even without events.
          if (dirty || [...stages.values()].some((s) => s.status === 'running')) render()
        }, FRAME_MS)
        timer.unref()
      })
      events.on('stage:started', (e) => {
        const s = view(e.stageId)
        Object.assign(s, { status: 'running', attempt: e.attempt, startedAt: e.at, waiting: undefined })
        touch()
      })
      events.on('stage:log', (e) => {
        const s = view(e.stageId)
        // One dimmed, clipped line: a tool's own colour codes would be cut mid-sequence.
        s.lastLine = stripVTControlCharacters(e.line)
        s.tail.push(e.line)
        if (s.tail.length > TAIL_LINES) s.tail.shift()
        touch()
      })
      events.on('stage:waiting', (e) => {
        view(e.stageId).waiting = `waiting: ${e.reason}`
        touch()
      })
      events.on('stage:finished', (e) => {
        Object.assign(view(e.stageId), { status: e.status, durationMs: e.durationMs, exitCode: e.exitCode, error: e.error, waiting: undefined })
        touch()
      })
    },
    note(line: string) {
      log.clear()
      println(out, line)
      render()
    },
    stop(_result?: RunResult) {
      if (timer) clearInterval(timer)
      if (header !== '') {
        render()
        log.done()
      }
      for (const s of stages.values()) {
        if (s.status !== 'failed' || s.tail.length === 0) continue
        println(out)
        println(out, c.red(`── ${s.id}: last ${s.tail.length} lines ──`))
        for (const l of s.tail) println(out, `${c.dim('│')} ${l}`)
      }
    },
  }
}
