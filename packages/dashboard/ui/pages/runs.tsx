import { useEffect, useRef, useState } from 'preact/hooks'
import { api, type RunFilters } from '../api.js'
import { StatusBadge } from '../components/status.js'
import { formatAgo, formatDuration, shortSha } from '../format.js'
import { runHref } from '../router.js'
import type { RunSummary } from '../types.js'

const STATUSES = ['', 'queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']
const POLL_MS = 3000

function readFilters(): RunFilters {
  const q = new URLSearchParams(sessionStorage.getItem('pipewright.filters') ?? '')
  return { pipeline: q.get('pipeline') ?? '', status: q.get('status') ?? '', branch: q.get('branch') ?? '' }
}

export function RunsPage() {
  const [filters, setFilters] = useState<RunFilters>(readFilters)
  const [runs, setRuns] = useState<RunSummary[] | null>(null)
  const [next, setNext] = useState<string | undefined>()
  const [error, setError] = useState<string | undefined>()
  const pages = useRef(1)

  useEffect(() => {
    sessionStorage.setItem('pipewright.filters', new URLSearchParams(filters as Record<string, string>).toString())
    let stop = false
    let timer: ReturnType<typeof setTimeout> | undefined
    pages.current = 1
    // The first page refreshes every few seconds (new runs, live statuses); pages loaded with
    // "Load more" stay as they were.
    async function refresh() {
      try {
        const page = await api.runs(filters)
        if (stop) return
        setRuns((prev) => (pages.current > 1 && prev ? mergeFirstPage(prev, page.runs) : page.runs))
        if (pages.current === 1) setNext(page.nextCursor)
        setError(undefined)
      } catch (err) {
        if (!stop) setError((err as Error).message)
      }
      if (!stop) timer = setTimeout(refresh, document.hidden ? POLL_MS * 5 : POLL_MS)
    }
    setRuns(null)
    void refresh()
    return () => {
      stop = true
      clearTimeout(timer)
    }
  }, [filters.pipeline, filters.status, filters.branch])

  async function loadMore() {
    if (!next) return
    const page = await api.runs(filters, next)
    pages.current++
    setRuns((prev) => [...(prev ?? []), ...page.runs.filter((r) => !prev?.some((p) => p.id === r.id))])
    setNext(page.nextCursor)
  }

  const set = (k: keyof RunFilters) => (e: Event) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value })
  return (
    <section class="page">
      <h1>Runs</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <input name="pipeline" placeholder="Pipeline" value={filters.pipeline} onChange={set('pipeline')} />
        <select name="status" value={filters.status} onChange={set('status')}>
          {STATUSES.map((s) => (
            <option value={s} key={s}>
              {s || 'Any status'}
            </option>
          ))}
        </select>
        <input name="branch" placeholder="Branch" value={filters.branch} onChange={set('branch')} />
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {runs === null ? (
        <p class="muted">Loading…</p>
      ) : runs.length === 0 ? (
        <p class="muted empty">No runs match. Start one with <code>pipewright run</code> or a push.</p>
      ) : (
        <table class="runs">
          <thead>
            <tr>
              <th>Status</th>
              <th>Run</th>
              <th>Trigger</th>
              <th>Branch</th>
              <th>Commit</th>
              <th>Started</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <RunRow key={r.id} run={r} />
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button class="btn" onClick={loadMore}>
          Load more
        </button>
      )}
    </section>
  )
}

function mergeFirstPage(prev: RunSummary[], first: RunSummary[]): RunSummary[] {
  const ids = new Set(first.map((r) => r.id))
  return [...first, ...prev.filter((r) => !ids.has(r.id))]
}

function RunRow({ run }: { run: RunSummary }) {
  const live = run.status === 'running' && run.startedAt ? Date.now() - run.startedAt : undefined
  return (
    <tr data-run={run.id} data-status={run.status}>
      <td title={run.waiting ?? ''}>
        <StatusBadge status={run.status === 'running' && run.waiting ? 'waiting' : run.status} />
      </td>
      <td>
        <a href={runHref(run.id)} class="run-link">
          <strong>{run.pipeline}</strong> <span class="muted mono">#{run.id.slice(0, 8)}</span>
        </a>
      </td>
      <td>
        {run.trigger?.kind ?? '—'}
        {run.trigger?.actor && <span class="muted"> by {run.trigger.actor}</span>}
      </td>
      <td class="mono">{run.git?.branch ?? run.git?.tag ?? '—'}</td>
      <td class="mono">{shortSha(run.git?.sha)}</td>
      <td title={run.startedAt ? new Date(run.startedAt).toISOString() : ''}>{formatAgo(run.startedAt ?? run.createdAt)}</td>
      <td>{formatDuration(run.durationMs ?? live)}</td>
    </tr>
  )
}
