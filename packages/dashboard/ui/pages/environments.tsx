import { useEffect, useState } from 'preact/hooks'
import { api, can, describe } from '../api.js'
import { StatusBadge } from '../components/status.js'
import { formatAgo, shortSha } from '../format.js'
import { runHref } from '../router.js'
import type { DeploymentView, EnvironmentView, Me } from '../types.js'

const POLL_MS = 5000

export function EnvironmentsPage({ me }: { me: Me }) {
  const [envs, setEnvs] = useState<EnvironmentView[] | null>(null)
  const [error, setError] = useState<string | undefined>()
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let stop = false
    let timer: ReturnType<typeof setTimeout> | undefined
    async function refresh() {
      try {
        const res = await api.environments()
        if (stop) return
        setEnvs(Array.isArray(res) ? res : res.environments)
        setError(undefined)
      } catch (err) {
        if (!stop) setError(describe(err))
      }
      if (!stop) timer = setTimeout(refresh, POLL_MS)
    }
    void refresh()
    return () => {
      stop = true
      clearTimeout(timer)
    }
  }, [tick])
  return (
    <section class="page">
      <h1>Environments</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {envs === null ? (
        <p class="muted">Loading…</p>
      ) : envs.length === 0 ? (
        <p class="muted empty">No environments yet: a pipeline's <code>environments:</code> and a deploy stage create them.</p>
      ) : (
        envs.map((env) => <Environment key={env.name} env={env} me={me} onChanged={() => setTick((t) => t + 1)} />)
      )}
    </section>
  )
}

function Environment({ env, me, onChanged }: { env: EnvironmentView; me: Me; onChanged: () => void }) {
  const [history, setHistory] = useState<DeploymentView[] | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const version = env.current?.version
  useEffect(() => {
    api
      .deployments(env.name)
      .then((r) => setHistory(r.deployments))
      .catch((err) => setError(describe(err)))
  }, [env.name, env.current?.deploymentId, version])

  async function rollback() {
    setConfirming(false)
    setError(undefined)
    try {
      const res = await api.rollback(env.name)
      onChanged()
      // A rollback is a run: watch it.
      if (res && typeof res.id === 'string') location.hash = runHref(res.id)
    } catch (err) {
      setError(describe(err))
    }
  }
  const holder = env.lock?.holder
  const queue = env.lock?.queue ?? []
  return (
    <div class="card env" data-env={env.name}>
      <div class="env-head">
        <h2>{env.name}</h2>
        {env.url && (
          <a class="mono" href={env.url} target="_blank" rel="noreferrer noopener">
            {env.url}
          </a>
        )}
        <span class="env-version" data-version={version ?? ''}>
          {version ? <>serving <strong class="mono">{version}</strong> <span class="muted">{formatAgo(env.current?.deployedAt)}</span></> : <span class="muted">nothing deployed</span>}
        </span>
        {env.health && (
          <span class={`chip health-${env.health.status}`} data-health={env.health.status} data-health-source={env.health.source ?? ''} title={healthTitle(env.health)}>
            health: {env.health.status}
            {env.health.source && env.health.source !== 'deployment' && <span class="muted"> ({env.health.source} {formatAgo(env.health.at)})</span>}
          </span>
        )}
        <div class="spacer" />
        {can.operate(me.role) && version && !confirming && (
          <button class="btn" data-action="rollback" onClick={() => setConfirming(true)}>
            Roll back
          </button>
        )}
        {confirming && (
          <span class="confirm">
            Roll {env.name} back to the previous version?{' '}
            <button class="btn btn-danger" data-action="confirm-rollback" onClick={rollback}>
              Roll back now
            </button>{' '}
            <button class="btn" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        )}
      </div>
      <p class="lock">
        Lock:{' '}
        {holder ? (
          <a href={runHref(holder.runId, holder.stageId)} class="mono">
            {holder.runId.slice(0, 8)} / {holder.stageId}
          </a>
        ) : (
          <span class="muted">free</span>
        )}
        {queue.length > 0 && (
          <span>
            {' '}— queue:{' '}
            {queue.map((q, i) => (
              <a key={i} href={runHref(q.runId, q.stageId)} class="mono">
                {q.runId.slice(0, 8)}/{q.stageId}{' '}
              </a>
            ))}
          </span>
        )}
      </p>
      {env.latch?.active && <Latch env={env} me={me} onChanged={onChanged} />}
      {error && <p class="error" role="alert">{error}</p>}
      <History history={history} />
    </div>
  )
}

/** The health chip's tooltip: the record's reason, verdict and monitor values. */
function healthTitle(h: NonNullable<EnvironmentView['health']>): string {
  const values = h.values ? Object.entries(h.values).map(([k, v]) => `${k}=${v}`).join(', ') : ''
  return [h.reason, h.verdict && `verdict: ${h.verdict}`, h.monitor && `monitor: ${h.monitor}`, values].filter(Boolean).join(' · ')
}

/** A latched environment (after an automatic rollback): why, and for operators an Acknowledge with a confirm step and a comment. */
function Latch({ env, me, onChanged }: { env: EnvironmentView; me: Me; onChanged: () => void }) {
  const latch = env.latch!
  const [confirming, setConfirming] = useState(false)
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  async function ack() {
    setBusy(true)
    setError(undefined)
    try {
      await api.ack(env.name, comment.trim() || undefined)
      setConfirming(false)
      onChanged()
    } catch (err) {
      setError(describe(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="latch" role="status" data-latched={env.name}>
      <p>
        <strong>Latched</strong> {formatAgo(latch.latchedAt)}: {latch.version ? <><span class="mono">{latch.version}</span> was rolled back automatically</> : 'an automatic rollback'}
        {latch.runId && <> (<a href={runHref(latch.runId)} class="mono">run {latch.runId.slice(0, 8)}</a>)</>} — {latch.reason}. Deploys here are refused until someone acknowledges it.
      </p>
      {can.operate(me.role) && !confirming && (
        <button class="btn" data-action="ack" onClick={() => setConfirming(true)}>
          Acknowledge
        </button>
      )}
      {confirming && (
        <form
          class="confirm"
          onSubmit={(e) => {
            e.preventDefault()
            void ack()
          }}
        >
          <label>
            What was done?{' '}
            <input name="ack-comment" maxLength={2000} value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} placeholder="e.g. fixed the migration, 2.0.1 is ready" />
          </label>{' '}
          <button type="submit" class="btn btn-danger" data-action="confirm-ack" disabled={busy}>
            Acknowledge: allow deploys again
          </button>{' '}
          <button type="button" class="btn" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </form>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  )
}

function History({ history }: { history: DeploymentView[] | null }) {
  if (history === null) return <p class="muted">Loading history…</p>
  if (history.length === 0) return <p class="muted">No deployments yet.</p>
  return (
    <table class="history">
      <thead>
        <tr>
          <th>Outcome</th>
          <th>Version</th>
          <th>Kind</th>
          <th>Commit</th>
          <th>By</th>
          <th>Approved by</th>
          <th>When</th>
        </tr>
      </thead>
      <tbody>
        {history.map((d) => (
          <tr key={d.deploymentId} data-deployment={d.deploymentId}>
            <td>
              <StatusBadge status={d.outcome === 'succeeded' ? 'succeeded' : d.outcome === 'failed' ? 'failed' : d.outcome} />
            </td>
            <td class="mono">
              {d.version}
              {d.previousVersion && <span class="muted"> (was {d.previousVersion})</span>}
            </td>
            <td>{d.kind}</td>
            <td class="mono">{shortSha(d.commit)}</td>
            <td>
              {d.triggeredBy ?? '—'}
              {d.runId && (
                <>
                  {' '}
                  <a href={runHref(d.runId)} class="mono">
                    run {d.runId.slice(0, 8)}
                  </a>
                </>
              )}
            </td>
            <td>{d.approvedBy?.length ? d.approvedBy.join(', ') : '—'}</td>
            <td>{formatAgo(d.finishedAt ?? d.startedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
