import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { api, ApiError, can, describe, tokenStore } from '../api.js'
import { Dag } from '../components/dag.js'
import { RiskPanel } from '../components/risk-panel.js'
import { StageDetail } from '../components/stage-detail.js'
import { StatusBadge } from '../components/status.js'
import { FINAL_RUN_STATUSES, formatAgo, formatDuration, shortSha } from '../format.js'
import { runHref } from '../router.js'
import { appendFetchedLogs, applyEvents, createRunState, FrameBatcher, mergeDetail, type RunState } from '../run-state.js'
import { followEventStream } from '../sse.js'
import type { Me, StreamEvent } from '../types.js'

type Live = 'connecting' | 'open' | 'reconnecting' | 'ended' | 'error' | 'polling'

const POLL_MS = 1500

/**
 * Follows the run's event stream, applying events in one batch per animation frame. A server
 * without the stream (404) is polled instead: the run every 1.5 s, and the shown stage's new log lines.
 */
function useRunState(id: string, shown: { current: string | undefined }): { state: RunState | null; error?: string; live: Live } {
  const [state, setState] = useState<RunState | null>(null)
  const [error, setError] = useState<string | undefined>()
  const [live, setLive] = useState<Live>('connecting')
  useEffect(() => {
    const ctrl = new AbortController()
    const batcher = new FrameBatcher<StreamEvent>(
      (events) => {
        performance.mark('pw:batch')
        setState((s) => (s ? applyEvents(s, events) : s))
      },
      (cb) => requestAnimationFrame(cb),
    )
    api
      .run(id)
      .then((detail) => {
        if (ctrl.signal.aborted) return
        performance.mark('pw:run-loaded')
        setState(createRunState(detail.run, detail.stages))
        return followEventStream(`/api/runs/${encodeURIComponent(id)}/events`, {
          token: tokenStore.get() ?? '',
          signal: ctrl.signal,
          onEvent: (ev) => batcher.push(ev),
          onState: (s, detail) => {
            if (s === 'error' && detail === '404') return setLive('polling')
            setLive(s)
            if (s === 'error') setError(`The live stream was refused (${detail}).`)
          },
        })
      })
      .catch((err) => {
        if (!ctrl.signal.aborted) setError(err instanceof ApiError && err.status === 404 ? `No run ${id}.` : (err as Error).message)
      })
    return () => ctrl.abort()
  }, [id])

  const logSeen = useRef(new Map<string, number>())
  useEffect(() => {
    if (live !== 'polling') return
    let stop = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const tick = async () => {
      try {
        const detail = await api.run(id)
        if (stop) return
        setState((s) => (s ? mergeDetail(s, detail.run, detail.stages) : s))
        const stage = shown.current
        if (stage) {
          const after = logSeen.current.get(stage)
          const page = await api.logs(id, stage, after)
          if (stop) return
          const last = page.lines[page.lines.length - 1]
          if (last?.seq !== undefined) logSeen.current.set(stage, last.seq)
          setState((s) => (s ? appendFetchedLogs(s, stage, page.lines) : s))
        }
      } catch (err) {
        if (!stop) setError((err as Error).message)
      }
      if (!stop) timer = setTimeout(tick, POLL_MS)
    }
    void tick()
    return () => {
      stop = true
      clearTimeout(timer)
    }
  }, [live, id])
  return { state, error, live }
}

function defaultStage(state: RunState): string | undefined {
  for (const want of ['waiting', 'running', 'failed']) {
    const hit = state.order.find((id) => state.stages.get(id)?.status === want)
    if (hit) return hit
  }
  return state.order[state.order.length - 1]
}

export function RunPage({ id, stage, me }: { id: string; stage?: string; me: Me }) {
  const shown = useRef<string | undefined>(undefined)
  const { state, error, live } = useRunState(id, shown)
  const [actionError, setActionError] = useState<string | undefined>()
  const firstPick = useRef<string | undefined>(undefined)
  const onSelect = useCallback((s: string) => {
    location.hash = runHref(id, s)
  }, [id])

  if (error && !state) return <section class="page"><p class="error" role="alert">{error}</p><a href="#/runs">All runs</a></section>
  if (!state) return <section class="page"><p class="muted">Loading run…</p></section>
  if (!firstPick.current) firstPick.current = defaultStage(state)
  const selected = stage && state.stages.has(stage) ? stage : firstPick.current
  shown.current = selected
  const run = state.run
  const final = FINAL_RUN_STATUSES.has(run.status)

  async function act(what: 'cancel' | 'retry' | 'resume') {
    setActionError(undefined)
    try {
      const res = await api[what](id)
      if (what === 'retry' && res?.id && res.id !== id) location.hash = runHref(res.id)
    } catch (err) {
      setActionError(describe(err))
    }
  }

  return (
    <section class="page run-page" data-run={run.id} data-run-status={run.status}>
      <div class="run-head">
        <a href="#/runs" class="muted">← Runs</a>
        <h1>
          {run.pipeline} <span class="muted mono">#{run.id.slice(0, 8)}</span>
        </h1>
        <StatusBadge status={run.status} />
        <span class={`live live-${live}`} data-live={live}>
          {live === 'open' ? '● live' : live === 'reconnecting' ? 'reconnecting…' : live === 'connecting' ? 'connecting…' : live === 'polling' ? '● refreshing every 1.5 s' : ''}
        </span>
        <div class="spacer" />
        {can.operate(me.role) && !final && (
          <button class="btn btn-danger" data-action="cancel" onClick={() => act('cancel')}>
            Cancel run
          </button>
        )}
        {can.operate(me.role) && final && run.status !== 'succeeded' && (
          <button class="btn" data-action="retry" onClick={() => act('retry')}>
            Re-run failed stages
          </button>
        )}
        {can.operate(me.role) && run.status === 'interrupted' && (
          <button class="btn" data-action="resume" onClick={() => act('resume')}>
            Resume
          </button>
        )}
      </div>
      <dl class="run-meta">
        <div><dt>Trigger</dt><dd>{run.trigger?.kind ?? '—'}{run.trigger?.actor ? ` by ${run.trigger.actor}` : ''}</dd></div>
        <div><dt>Branch</dt><dd class="mono">{run.git?.branch ?? run.git?.tag ?? '—'}</dd></div>
        <div><dt>Commit</dt><dd class="mono">{shortSha(run.git?.sha)}</dd></div>
        <div><dt>Started</dt><dd>{formatAgo(run.startedAt ?? run.createdAt)}</dd></div>
        <div><dt>Duration</dt><dd>{formatDuration(run.durationMs)}</dd></div>
        <div><dt>Stages</dt><dd>{state.order.length}</dd></div>
      </dl>
      {(actionError || error) && <p class="error" role="alert">{actionError ?? error}</p>}
      <RiskPanel runId={id} status={run.status} />
      <Dag order={state.order} stages={state.stages} structure={state.structure} selected={selected} onSelect={onSelect} />
      {selected && state.stages.get(selected) && (
        <StageDetail runId={id} stage={state.stages.get(selected)!} log={state.logs.get(selected)} me={me} />
      )}
    </section>
  )
}
