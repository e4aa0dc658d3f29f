import type { Band } from './bands.js'
import { doraCharts } from './charts.js'
import type { DoraMetrics, DoraReport } from './dora.js'
import { formatDuration, percent } from './duration.js'
import { escapeHtml, htmlPage, isoDay, mdCell, mdChart, type RenderedReport, type RenderOptions, type ReportFormat } from './render-common.js'

interface Row {
  metric: string
  value: string
  band: string
}

function rows(m: DoraMetrics): Row[] {
  const band = (b: Band | undefined, why = 'no data') => b ?? `— (${why})`
  const f = m.deploymentFrequency
  const cfr = m.changeFailureRate
  return [
    { metric: 'deployment frequency', value: `${round(f.perWeek)} a week (${round(f.perDay)} a day; ${m.deployments} in all)`, band: band(f.band, 'no deployments') },
    { metric: 'lead time for changes', value: m.leadTime.medianMs !== undefined ? `median ${formatDuration(m.leadTime.medianMs)} (${m.leadTime.samples} deployments${m.leadTime.withoutCommitTime ? `; ${m.leadTime.withoutCommitTime} without a commit time` : ''})` : 'no deployment with a commit time', band: band(m.leadTime.band) },
    { metric: 'change failure rate', value: cfr.rate !== undefined ? `${percent(cfr.rate)} (${cfr.failed} of ${cfr.total})` : 'no deployments', band: band(cfr.band) },
    { metric: 'failed deployment recovery time', value: m.recoveryTime.medianMs !== undefined ? `median ${formatDuration(m.recoveryTime.medianMs)} (${m.recoveryTime.samples} recovered${m.recoveryTime.unrecovered ? `, ${m.recoveryTime.unrecovered} not yet` : ''})` : m.recoveryTime.unrecovered ? `${m.recoveryTime.unrecovered} failure(s) not recovered yet` : 'no failures', band: band(m.recoveryTime.band, m.recoveryTime.unrecovered ? 'not recovered' : 'no failures') },
    { metric: 'rework rate', value: m.reworkRate.rate !== undefined ? `${percent(m.reworkRate.rate)} (${m.reworkRate.rework} of ${m.reworkRate.total})` : 'no deployments', band: '— (DORA sets no bands)' },
  ]
}

const round = (n: number) => String(Math.round(n * 100) / 100)

function failureLines(m: DoraMetrics): string[] {
  return m.changeFailureRate.failures.map((f) => `${isoDay(f.finishedAt)} ${f.version}: ${f.reasons.join(' + ')}, ${f.recoveredAt !== undefined ? `healthy again after ${formatDuration(f.recoveredAt - f.finishedAt)}` : 'not recovered yet'}`)
}

function heading(report: DoraReport): string {
  const days = Math.round((report.window.to - report.window.from) / 86_400_000)
  return `DORA metrics — ${report.environment}, ${isoDay(report.window.from)} → ${isoDay(report.window.to)} (${days} days)`
}

function renderText(report: DoraReport): string {
  const out = [heading(report), '']
  if (report.pipelines.length === 0) out.push(`No deployments to ${report.environment} in this window.`)
  for (const m of report.pipelines) {
    out.push(m.pipeline)
    for (const r of rows(m)) out.push(`  ${r.metric.padEnd(32)} ${r.value.padEnd(56)} ${r.band}`)
    const failures = failureLines(m)
    if (failures.length) out.push('  failures:', ...failures.map((l) => `    ${l}`))
    out.push('')
  }
  return `${out.join('\n').trimEnd()}\n`
}

async function renderMarkdown(report: DoraReport, options: RenderOptions): Promise<RenderedReport> {
  const files: RenderedReport['files'] = []
  const out = [`# ${heading(report)}`, '']
  if (report.pipelines.length === 0) out.push(`No deployments to ${mdCell(report.environment)} in this window.`, '')
  for (const m of report.pipelines) {
    const charts = await doraCharts(m)
    out.push(`## ${mdCell(m.pipeline)}`, '', '| metric | value | DORA band |', '| --- | --- | --- |', ...rows(m).map((r) => `| ${r.metric} | ${mdCell(r.value)} | ${r.band} |`), '')
    const failures = failureLines(m)
    if (failures.length) out.push('Failures:', '', ...failures.map((l) => `- ${mdCell(l)}`), '')
    const slug = m.pipeline.replace(/[^a-z0-9-]/gi, '-')
    out.push(mdChart(files, options, `${slug}-deployments`, 'Deployments per week', charts.deployments), '', mdChart(files, options, `${slug}-lead-time`, 'Median lead time per week', charts.leadTime), '')
  }
  out.push('Bands: DORA Accelerate State of DevOps 2023/2024 (see docs/insight.md).', '')
  return { text: out.join('\n'), files }
}

async function renderHtml(report: DoraReport): Promise<string> {
  const parts = [`<h1>${escapeHtml(heading(report))}</h1>`]
  if (report.pipelines.length === 0) parts.push(`<p>No deployments to ${escapeHtml(report.environment)} in this window.</p>`)
  for (const m of report.pipelines) {
    const charts = await doraCharts(m)
    const table = rows(m).map((r) => `<tr><td>${r.metric}</td><td>${escapeHtml(r.value)}</td><td class="band-${r.band.split(' ')[0]}">${escapeHtml(r.band)}</td></tr>`).join('\n')
    const failures = failureLines(m)
    parts.push(`<h2>${escapeHtml(m.pipeline)}</h2>`, `<table><tr><th>metric</th><th>value</th><th>DORA band</th></tr>\n${table}</table>`)
    if (failures.length) parts.push(`<p>Failures:</p><ul>${failures.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`)
    parts.push(`<figure>${charts.deployments}</figure>`, `<figure>${charts.leadTime}</figure>`)
  }
  parts.push('<p>Bands: DORA Accelerate State of DevOps 2023/2024.</p>')
  return htmlPage(heading(report), parts.join('\n'))
}

/** The DORA report as text, JSON, Markdown or HTML (the last two with weekly charts). */
export async function renderDora(report: DoraReport, format: ReportFormat, options: RenderOptions = {}): Promise<RenderedReport> {
  if (format === 'json') return { text: `${JSON.stringify(report, null, 2)}\n`, files: [] }
  if (format === 'md') return renderMarkdown(report, options)
  if (format === 'html') return { text: await renderHtml(report), files: [] }
  return { text: renderText(report), files: [] }
}
