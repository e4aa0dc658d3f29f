import { useEffect, useState } from 'preact/hooks'
import { api, describe } from '../api.js'
import { formatDuration } from '../format.js'
import type { Band, DoraMetrics, DoraReport, Suggestion } from '../insight-types.js'

const WINDOWS = ['7d', '14d', '30d', '90d', '12w']
const TOP_FINDINGS = 8

function percent(rate: number | undefined): string {
  return rate === undefined ? '—' : `${Math.round(rate * 1000) / 10}%`
}

function frequency(perDay: number): string {
  return perDay >= 1 ? `${Math.round(perDay * 10) / 10}/day` : `${Math.round(perDay * 70) / 10}/week`
}

function Figure({ name, value, band, note }: { name: string; value: string; band?: Band; note?: string }) {
  return (
    <div class="figure" data-figure={name}>
      <div class="figure-name">{name}</div>
      <div class="figure-value">{value}</div>
      {band ? <span class={`band band-${band}`} data-band={band}>{band}</span> : <span class="band band-none">{note ?? 'no band'}</span>}
    </div>
  )
}

/** Deployments per week as bars, failures in red; each bar's title holds the week's numbers. */
function WeeklyTrend({ weeks }: { weeks: DoraMetrics['weeks'] }) {
  const most = Math.max(1, ...weeks.map((w) => w.deployments))
  const bar = 26
  const height = 60
  return (
    <figure class="trend">
      <svg width={weeks.length * (bar + 6)} height={height + 14} role="img" aria-label="Deployments per week">
        {weeks.map((w, i) => {
          const h = (w.deployments / most) * height
          const f = (w.failures / most) * height
          const lead = w.leadTimeHours === undefined ? '' : `, median lead time ${w.leadTimeHours} h`
          return (
            <g key={w.week} data-week={w.week} data-deployments={w.deployments} data-failures={w.failures}>
              <title>{`week of ${w.week}: ${w.deployments} deployments, ${w.failures} failed${lead}`}</title>
              <rect class="trend-ok" x={i * (bar + 6)} y={height - h} width={bar} height={h} />
              <rect class="trend-failed" x={i * (bar + 6)} y={height - f} width={bar} height={f} />
              <text class="trend-label" x={i * (bar + 6) + bar / 2} y={height + 12}>{w.week.slice(5)}</text>
            </g>
          )
        })}
      </svg>
      <figcaption class="muted">deployments per week (failed in red)</figcaption>
    </figure>
  )
}

function PipelineDora({ m }: { m: DoraMetrics }) {
  const unrecovered = m.recoveryTime.unrecovered ? `, ${m.recoveryTime.unrecovered} not recovered` : ''
  return (
    <div class="dora" data-pipeline={m.pipeline}>
      <h3>{m.pipeline} <span class="muted">· {m.deployments} deployments</span></h3>
      <div class="figures">
        <Figure name="Deployment frequency" value={frequency(m.deploymentFrequency.perDay)} band={m.deploymentFrequency.band} note="no deployments" />
        <Figure name="Lead time" value={formatDuration(m.leadTime.medianMs)} band={m.leadTime.band} note="no commit times" />
        <Figure name="Change failure rate" value={`${percent(m.changeFailureRate.rate)} (${m.changeFailureRate.failed}/${m.changeFailureRate.total})`} band={m.changeFailureRate.band} note="no deployments" />
        <Figure name="Recovery time" value={`${formatDuration(m.recoveryTime.medianMs)}${unrecovered}`} band={m.recoveryTime.band} note="no failures" />
        <Figure name="Rework rate" value={`${percent(m.reworkRate.rate)} (${m.reworkRate.rework}/${m.reworkRate.total})`} note="DORA sets no bands" />
      </div>
      <WeeklyTrend weeks={m.weeks} />
    </div>
  )
}

function EnvironmentDora({ env, since }: { env: string; since: string }) {
  const [report, setReport] = useState<DoraReport | null>(null)
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    setReport(null)
    api.dora(env, since).then(setReport, (err) => setError(describe(err)))
  }, [env, since])
  return (
    <div class="card insight-env" data-env={env}>
      <h2>{env}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {!report && !error && <p class="muted">Loading…</p>}
      {report && report.pipelines.length === 0 && <p class="muted empty">No deployments to {env} in this window.</p>}
      {report?.pipelines.map((m) => <PipelineDora key={m.pipeline} m={m} />)}
    </div>
  )
}

function Findings({ since }: { since: string }) {
  const [found, setFound] = useState<Suggestion[] | null>(null)
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    setFound(null)
    api.review(since).then((r) => setFound(r.suggestions), (err) => setError(describe(err)))
  }, [since])
  return (
    <div class="card findings">
      <h2>Process review</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {found === null && !error && <p class="muted">Loading…</p>}
      {found?.length === 0 && <p class="muted empty">Nothing to suggest in this window.</p>}
      {found && found.length > 0 && (
        <ul>
          {found.slice(0, TOP_FINDINGS).map((s) => (
            <li key={`${s.kind}:${s.subject}`} class="finding" data-kind={s.kind}>
              <span class="chip">{s.kind}</span> {s.text}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

/** DORA figures per environment with their bands and weekly trend, and the process review's top findings. */
export function InsightPage({ since = '30d' }: { since?: string }) {
  const [envs, setEnvs] = useState<string[] | null>(null)
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    api.environments().then(
      (res) => {
        const names = (Array.isArray(res) ? res : res.environments).map((e) => e.name)
        // Like `pipewright report dora`, production when no pipeline declares an environment.
        setEnvs(names.length ? names : ['production'])
      },
      (err) => setError(describe(err)),
    )
  }, [])
  return (
    <section class="page insight-page">
      <div class="run-head">
        <h1>Insight</h1>
        <label class="muted">
          last{' '}
          <select value={since} onChange={(e) => (location.hash = `#/insight/${(e.target as HTMLSelectElement).value}`)}>
            {(WINDOWS.includes(since) ? WINDOWS : [since, ...WINDOWS]).map((w) => <option key={w} value={w}>{w}</option>)}
          </select>
        </label>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {envs?.map((env) => <EnvironmentDora key={env} env={env} since={since} />)}
      <Findings since={since} />
      <p class="muted">Definitions and DORA's performance bands: docs/insight.md.</p>
    </section>
  )
}
