import { useState } from 'preact/hooks'
import { api, can, describe } from '../api.js'
import { formatAgo, formatDuration } from '../format.js'
import type { StageLog } from '../run-state.js'
import type { GateView, Me, StageView } from '../types.js'
import { LogView } from './log-view.js'
import { StatusBadge } from './status.js'

export function StageDetail({ runId, stage, log, me }: { runId: string; stage: StageView; log: StageLog | undefined; me: Me }) {
  return (
    <div class="stage-detail" data-stage-detail={stage.id}>
      <div class="stage-head">
        <h2>{stage.id}</h2>
        <StatusBadge status={stage.status} />
        {stage.environment && <span class="chip">env: {stage.environment}</span>}
        <span class="muted">{formatDuration(stage.durationMs)}</span>
      </div>
      {stage.status === 'waiting' && stage.waiting && <Waiting runId={runId} stage={stage} me={me} />}
      {stage.error && (
        <p class="error">
          {stage.error.code && <span class="mono">{stage.error.code}: </span>}
          {stage.error.message}
          {stage.error.details && <span class="muted"> — {stage.error.details}</span>}
        </p>
      )}
      {stage.summary && <p class="summary">{stage.summary}</p>}
      {stage.gates && stage.gates.length > 0 && <Gates gates={stage.gates} />}
      <LogView log={log} stageId={stage.id} />
    </div>
  )
}

function Waiting({ runId, stage, me }: { runId: string; stage: StageView; me: Me }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const [comment, setComment] = useState('')
  const w = stage.waiting!
  const approval = w.kind === 'approval'
  async function decide(decision: 'approve' | 'reject') {
    setBusy(true)
    setError(undefined)
    try {
      await api.decide(runId, stage.id, decision, comment || undefined)
    } catch (err) {
      setError(describe(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="waiting" data-waiting-kind={w.kind}>
      <p>
        <strong>Waiting for {w.kind}</strong>: {w.reason}
        {w.since && <span class="muted"> (since {formatAgo(w.since)})</span>}
        {w.deadline && <span class="muted"> — times out {new Date(w.deadline).toLocaleString()}</span>}
      </p>
      {approval && can.approve(me.role) && (
        <div class="decide">
          <input placeholder="Comment (optional)" value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
          <button class="btn btn-primary" data-action="approve" disabled={busy} onClick={() => decide('approve')}>
            Approve
          </button>
          <button class="btn btn-danger" data-action="reject" disabled={busy} onClick={() => decide('reject')}>
            Reject
          </button>
        </div>
      )}
      {approval && !can.approve(me.role) && <p class="muted">An approver can approve or reject this deployment.</p>}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  )
}

function Gates({ gates }: { gates: GateView[] }) {
  return (
    <div class="gates">
      <h3>Gates</h3>
      {gates.map((g) => (
        <div class={`gate gate-${g.verdict}`} key={g.uses} data-gate={g.uses} data-verdict={g.verdict}>
          <span class="gate-verdict">{g.verdict}</span> <span class="mono">{g.uses}</span>
          {g.reason && <span> — {g.reason}</span>}
          {g.evidence !== undefined && g.evidence !== null && (
            <details>
              <summary>Evidence</summary>
              <pre>{JSON.stringify(g.evidence, null, 2)}</pre>
            </details>
          )}
        </div>
      ))}
    </div>
  )
}
