import { EventBus } from '@pipewright/core'
import { createColors } from 'picocolors'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OutputStream } from '../io.js'
import { createLiveRenderer, stageDepths } from './live-renderer.js'
import { createPlainRenderer, finishedDetail } from './plain-renderer.js'
import { printRunSummary } from './run-summary.js'

const c = createColors(false)

/** Collects what is written; `isTTY` makes log-update treat it as a terminal. */
function capture(isTTY: boolean): OutputStream & { text: string } {
  return {
    text: '',
    isTTY,
    columns: 80,
    write(chunk: string) {
      this.text += chunk
      return true
    },
  }
}

function emitRun(bus: EventBus): void {
  const at = Date.now()
  bus.emit('run:started', { runId: 'r1', pipeline: 'demo', stages: ['lint', 'test[node=20]'], resumed: false, at })
  bus.emit('stage:started', { runId: 'r1', stageId: 'lint', attempt: 1, at })
  bus.emit('stage:log', { runId: 'r1', stageId: 'lint', stream: 'stdout', line: 'checking 12 files', at })
  bus.emit('stage:finished', { runId: 'r1', stageId: 'lint', status: 'succeeded', attempts: 1, exitCode: 0, durationMs: 1234, outputs: {}, at })
  bus.emit('stage:started', { runId: 'r1', stageId: 'test[node=20]', attempt: 1, at })
  bus.emit('stage:log', { runId: 'r1', stageId: 'test[node=20]', stream: 'stderr', line: 'assertion failed', at })
  bus.emit('stage:finished', { runId: 'r1', stageId: 'test[node=20]', status: 'failed', attempts: 1, exitCode: 1, durationMs: 400, outputs: {}, at })
}

describe('plain renderer', () => {
  it('writes one line per event in the documented format', () => {
    const out = capture(false)
    const bus = new EventBus()
    createPlainRenderer(out, c).attach(bus)
    emitRun(bus)
    expect(out.text.split('\n').slice(1, -1)).toEqual(['▶ lint', 'lint │ checking 12 files', '✓ lint (1.2s)', '▶ test[node=20]', 'test[node=20] │ assertion failed', '✗ test[node=20] exit 1 (0.4s)'])
  })
})

describe('plain renderer waiting lines', () => {
  it('prints a waiting line when the reason changes, not when only its elapsed time moved', () => {
    const out = capture(false)
    const bus = new EventBus()
    createPlainRenderer(out, c).attach(bus)
    const at = Date.now()
    const waiting = (reason: string) => bus.emit('stage:waiting', { runId: 'r1', stageId: 'deploy', reason, kind: 'verifying', since: at, phase: 'verify', hook: 'deploy-verify', at })
    waiting('verifying v1 on staging: 501ms of 2m, 1 measurement(s), 0 failed')
    waiting('verifying v1 on staging: 1.003s of 2m, 1 measurement(s), 0 failed')
    waiting('verifying v1 on staging: 1m2.5s of 2m, 1 measurement(s), 0 failed')
    waiting('verifying v1 on staging: 1m3s of 2m, 2 measurement(s), 1 failed')
    waiting('verifying v1 on staging: 1m3.5s of 2m, 2 measurement(s), 1 failed')
    expect(out.text.split('\n').filter(Boolean)).toEqual([
      '⏸ deploy waiting: verifying v1 on staging: 501ms of 2m, 1 measurement(s), 0 failed',
      '⏸ deploy waiting: verifying v1 on staging: 1m3s of 2m, 2 measurement(s), 1 failed',
    ])
  })
})

describe('plain renderer progress on silent stages', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('says a stage is still running after 30 s of silence, again after each further 30 s, never once it printed or finished', () => {
    vi.useFakeTimers()
    const out = capture(false)
    const bus = new EventBus()
    createPlainRenderer(out, c).attach(bus)
    const at = Date.now()
    bus.emit('run:started', { runId: 'r1', pipeline: 'demo', stages: ['build', 'chatty'], resumed: false, at })
    bus.emit('stage:started', { runId: 'r1', stageId: 'build', attempt: 1, at })
    bus.emit('stage:started', { runId: 'r1', stageId: 'chatty', attempt: 1, at })
    for (let s = 1; s <= 94; s++) {
      vi.advanceTimersByTime(1000)
      if (s % 10 === 0) bus.emit('stage:log', { runId: 'r1', stageId: 'chatty', stream: 'stdout', line: `tick ${s}`, at: Date.now() })
      if (s === 65) bus.emit('stage:log', { runId: 'r1', stageId: 'build', stream: 'stdout', line: 'half way', at: Date.now() })
    }
    bus.emit('stage:finished', { runId: 'r1', stageId: 'build', status: 'succeeded', attempts: 1, exitCode: 0, durationMs: 94_000, outputs: {}, at: Date.now() })
    vi.advanceTimersByTime(120_000)
    const progress = out.text.split('\n').filter((l) => l.includes('still running'))
    // build: 30 s, 60 s; its output at 65 s restarts the count, and it finishes at 94 s, before 95 s.
    // chatty prints every 10 s until 90 s, then is silent: 120 s, 150 s, 180 s, 210 s.
    expect(progress).toEqual([
      'build still running (30s)',
      'build still running (1m00s)',
      'chatty still running (2m00s)',
      'chatty still running (2m30s)',
      'chatty still running (3m00s)',
      'chatty still running (3m30s)',
    ])
  })

  it('takes another interval, and 0 turns the lines off', () => {
    vi.useFakeTimers()
    for (const [progressIntervalMs, expected] of [[500, 4], [0, 0]] as const) {
      const out = capture(false)
      const bus = new EventBus()
      createPlainRenderer(out, c, { progressIntervalMs }).attach(bus)
      bus.emit('stage:started', { runId: 'r1', stageId: 'wait', attempt: 1, at: Date.now() })
      vi.advanceTimersByTime(2000)
      expect(out.text.split('\n').filter((l) => l.startsWith('wait still running')).length).toBe(expected)
    }
  })
})

describe('live renderer', () => {
  it('draws the stage tree in place and prints the failed stage tail at the end', async () => {
    const out = capture(true)
    const bus = new EventBus()
    const renderer = createLiveRenderer(out, c, async () => [
      { id: 'lint', needs: [] },
      { id: 'test[node=20]', needs: ['lint'] },
    ])
    renderer.attach(bus)
    const at = Date.now()
    bus.emit('run:started', { runId: 'r1', pipeline: 'demo', stages: ['lint'], resumed: false, at })
    bus.emit('stage:started', { runId: 'r1', stageId: 'lint', attempt: 1, at })
    renderer.note('cancelling…')
    emitRun(bus)
    await new Promise((resolve) => setTimeout(resolve, 0))
    renderer.stop()
    // The second frame (at stop) erases the first with cursor movements before redrawing.
    expect(out.text).toMatch(/cancelling…\n[^]*\u001b\[2K[^]*✓ lint 1\.2s/)
    expect(out.text).toContain('✓ lint 1.2s')
    expect(out.text).toContain('  ✗ test[node=20] exit 1 0.4s')
    expect(out.text).toContain('── test[node=20]: last 1 lines ──\n│ assertion failed')
  })

  it('ticks the elapsed time of a running stage every frame, without events', () => {
    vi.useFakeTimers()
    try {
      const out = capture(true)
      const bus = new EventBus()
      createLiveRenderer(out, c, async () => undefined).attach(bus)
      const at = Date.now()
      bus.emit('run:started', { runId: 'r1', pipeline: 'demo', stages: ['wait'], resumed: false, at })
      bus.emit('stage:started', { runId: 'r1', stageId: 'wait', attempt: 1, at })
      const seen: string[] = []
      for (let s = 1; s <= 3; s++) {
        vi.advanceTimersByTime(1000)
        seen.push(/wait (\d+\.\ds)(?![^]*wait \d)/.exec(out.text)?.[1] ?? '')
      }
      expect(seen).toEqual(['1.0s', '2.0s', '3.0s'])
    } finally {
      vi.useRealTimers()
    }
  })

  it('stageDepths gives each stage its longest distance from a root', () => {
    const depths = stageDepths([
      { id: 'a', needs: [] },
      { id: 'b', needs: ['a'] },
      { id: 'c', needs: ['a', 'b'] },
      { id: 'd', needs: [] },
    ])
    expect(Object.fromEntries(depths)).toEqual({ a: 0, b: 1, c: 2, d: 0 })
  })
})

describe('a timed-out stage', () => {
  const timedOut = { status: 'failed' as const, exitCode: 143, error: { code: 'PW_ERR_TIMEOUT', message: 'Stage slow timed out after 2s' } }

  it('reads "timed out after 2s" in the plain and live views and in the summary, not "exit 143"', async () => {
    expect(finishedDetail(timedOut)).toBe(' timed out after 2s')
    const live = capture(true)
    const bus = new EventBus()
    const renderer = createLiveRenderer(live, c, async () => undefined)
    renderer.attach(bus)
    const at = Date.now()
    bus.emit('run:started', { runId: 'r1', pipeline: 'demo', stages: ['slow'], resumed: false, at })
    bus.emit('stage:finished', { runId: 'r1', stageId: 'slow', attempts: 1, durationMs: 2100, outputs: {}, at, ...timedOut })
    renderer.stop()
    expect(live.text).toContain('✗ slow timed out after 2s 2.1s')
    const summary = capture(false)
    printRunSummary(summary, c, { id: 'r1', pipeline: 'demo', status: 'failed', durationMs: 2200, stages: [{ id: 'slow', attempts: 1, durationMs: 2100, outputs: {}, ...timedOut }] })
    expect(summary.text).toContain('  ✗ slow timed out after 2s')
    expect(live.text + summary.text).not.toContain('exit 143')
  })
})
