import { stageTrendChart } from './charts.js'
import { formatDuration, formatMinutes, percent } from './duration.js'
import { escapeHtml, htmlPage, isoDay, mdCell, mdChart, type RenderedReport, type RenderOptions, type ReportFormat } from './render-common.js'
import type { ProcessReview } from './review.js'

interface Section {
  title: string
  head: string[]
  rows: string[][]
  empty: string
}

const TOP = 10

function sections(r: ProcessReview): Section[] {
  const trend = (t: ProcessReview['slowestStages'][number]['trend']) => (t ? `${formatDuration(t.earlierMs)} → ${formatDuration(t.laterMs)} (${t.change >= 0 ? '+' : ''}${percent(t.change)})` : '—')
  return [
    { title: 'Slowest stages', head: ['stage', 'runs', 'median', 'in all', 'trend (1st half → 2nd half)'], rows: r.slowestStages.slice(0, TOP).map((s) => [s.stageId, String(s.runs), formatDuration(s.medianMs), formatDuration(s.totalMs), trend(s.trend)]), empty: 'No stage ran in this window.' },
    { title: 'Time spent waiting', head: ['on', 'waits', 'in all', 'median', 'most at'], rows: r.waiting.map((w) => [w.kind, String(w.waits), formatDuration(w.totalMs), formatDuration(w.medianMs), `${w.byStage[0]!.stageId} (${formatDuration(w.byStage[0]!.totalMs)})`]), empty: 'Nothing waited.' },
    {
      title: `Cache (hit rate ${r.cacheTotals.hitRate !== undefined ? percent(r.cacheTotals.hitRate) : '—'}, ${formatDuration(r.cacheTotals.savedMs)} saved)`,
      head: ['stage', 'hits', 'misses', 'hit rate', 'saved', 're-ran unchanged'],
      rows: r.cache.map((c) => [c.stageId, String(c.hits), String(c.misses), c.hitRate !== undefined ? percent(c.hitRate) : '—', formatDuration(c.savedMs), c.rerunsUnchanged ? `${c.rerunsUnchanged} (${formatMinutes(c.rerunMs)})` : '0']),
      empty: 'No cached stage and no stage re-ran with unchanged inputs.',
    },
    { title: 'Flaky tests', head: ['test', 'runs', 'stages'], rows: r.flakyTests.slice(0, TOP).map((t) => [t.id, String(t.runs), t.stages.join(', ')]), empty: 'No flaky test on record.' },
    { title: 'Failure causes', head: ['class', 'failures', 'stages', 'codes'], rows: r.failures.map((f) => [f.class, String(f.count), f.stages.map((s) => `${s.stageId} ×${s.count}`).join(', '), f.codes.join(', ')]), empty: 'No stage failed.' },
    { title: 'CPU by stage', head: ['stage', 'CPU', 'attempts'], rows: r.cpuByStage.slice(0, TOP).map((c) => [c.stageId, formatMinutes(c.cpuMs), String(c.attempts)]), empty: 'No CPU time on record (measured on Linux, for `run:` stages).' },
  ]
}

function heading(r: ProcessReview): string {
  return `Process review${r.pipeline ? ` — ${r.pipeline}` : ''}, ${isoDay(r.window.from)} → ${isoDay(r.window.to)} (${r.runs} runs)`
}

function renderText(r: ProcessReview): string {
  const out = [heading(r), '']
  out.push('Suggestions', ...(r.suggestions.length ? r.suggestions.map((s) => `  - ${s.text}`) : ['  none: nothing stands out.']), '')
  for (const s of sections(r)) {
    out.push(s.title)
    if (s.rows.length === 0) out.push(`  ${s.empty}`)
    const widths = s.head.map((h, i) => Math.max(h.length, ...s.rows.map((row) => row[i]!.length)))
    if (s.rows.length) out.push(`  ${s.head.map((h, i) => h.padEnd(widths[i]!)).join('  ')}`.trimEnd(), ...s.rows.map((row) => `  ${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd()))
    out.push('')
  }
  return `${out.join('\n').trimEnd()}\n`
}

async function renderMarkdown(r: ProcessReview, options: RenderOptions): Promise<RenderedReport> {
  const files: RenderedReport['files'] = []
  const out = [`# ${heading(r)}`, '', '## Suggestions', '', ...(r.suggestions.length ? r.suggestions.map((s) => `- ${s.text.replace(/[<>|]/g, (c) => `\\${c}`)}`) : ['None: nothing stands out.']), '']
  for (const s of sections(r)) {
    out.push(`## ${s.title}`, '')
    if (s.rows.length === 0) out.push(s.empty, '')
    else out.push(`| ${s.head.join(' | ')} |`, `| ${s.head.map(() => '---').join(' | ')} |`, ...s.rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`), '')
    if (s.title === 'Slowest stages' && r.slowestStages.length) out.push(mdChart(files, options, 'stage-trend', 'Median stage duration per week', await stageTrendChart(r.slowestStages.slice(0, 5))), '')
  }
  return { text: out.join('\n'), files }
}

async function renderHtml(r: ProcessReview): Promise<string> {
  const parts = [`<h1>${escapeHtml(heading(r))}</h1>`, '<h2>Suggestions</h2>', r.suggestions.length ? `<ul>${r.suggestions.map((s) => `<li>${escapeHtml(s.text)}</li>`).join('\n')}</ul>` : '<p>None: nothing stands out.</p>']
  for (const s of sections(r)) {
    parts.push(`<h2>${escapeHtml(s.title)}</h2>`)
    parts.push(s.rows.length ? `<table><tr>${s.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>\n${s.rows.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')}</table>` : `<p>${escapeHtml(s.empty)}</p>`)
    if (s.title === 'Slowest stages' && r.slowestStages.length) parts.push(`<figure>${await stageTrendChart(r.slowestStages.slice(0, 5))}</figure>`)
  }
  return htmlPage(heading(r), parts.join('\n'))
}

/** The process review as text, JSON, Markdown or HTML (the last two with the stage trend chart). */
export async function renderReview(review: ProcessReview, format: ReportFormat, options: RenderOptions = {}): Promise<RenderedReport> {
  if (format === 'json') return { text: `${JSON.stringify(review, null, 2)}\n`, files: [] }
  if (format === 'md') return renderMarkdown(review, options)
  if (format === 'html') return { text: await renderHtml(review), files: [] }
  return { text: renderText(review), files: [] }
}
