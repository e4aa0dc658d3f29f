import type { EvidenceBundle } from './evidence.js'

type Section = { title: string; rows: string[][]; head: string[]; empty: string }

const iso = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toISOString())

/** The bundle as titled tables: one model for both the Markdown and the HTML page. */
function sections(b: EvidenceBundle): { title: string; facts: Array<[string, string]>; sections: Section[] } {
  const d = b.deployment
  const facts: Array<[string, string]> = [
    ['Deployment', d.id], ['Environment', d.environment], ['Kind', d.kind], ['Version', `${d.version}${d.previousVersion ? ` (was ${d.previousVersion})` : ''}`],
    ['Outcome', `${d.outcome}${d.rolledBackBy ? ` (rolled back by ${d.rolledBackBy})` : ''}`], ['Strategy', d.strategy],
    ['Who triggered', d.triggeredBy ?? b.run?.triggeredBy ?? 'unknown'], ['Approved by', d.approvedBy.join(', ') || 'nobody (no approval required)'],
    ['Started', iso(d.startedAt)], ['Finished', iso(d.finishedAt)], ['Pipeline / run', `${d.pipeline} / ${d.runId} (stage ${d.stageId})`],
    ['Trigger', `${b.run?.trigger ?? 'unknown'}${b.run?.vars.length ? `; vars: ${b.run.vars.join(', ')}` : ''}${b.run?.secrets.length ? `; secrets used (names): ${b.run.secrets.join(', ')}` : ''}`],
    ['Commit', `${d.commit ?? 'unknown'}${d.branch ? ` on ${d.branch}` : ''}`],
    ['Artifact digest', d.artifactDigest ?? d.imageDigest ?? 'none recorded'],
    ['Previous deployment', b.previous ? `${b.previous.id} (${b.previous.version}${b.previous.commit ? `, ${b.previous.commit.slice(0, 12)}` : ''})` : 'none'],
  ]
  if (d.url) facts.push(['URL', d.url])
  return {
    title: `Deployment evidence: ${d.pipeline} ${d.version} to ${d.environment}`,
    facts,
    sections: [
      { title: 'Why: commits since the previous deployment', head: ['commit', 'author', 'date', 'subject'], rows: b.commits.map((c) => [c.sha.slice(0, 12), c.author, c.date, c.subject]), empty: b.commitsNote ?? 'No commits.' },
      { title: 'Approvals', head: ['who', 'decision', 'when', 'comment'], rows: b.approvals.map((a) => [a.by, a.decision, iso(a.at), a.comment ?? '']), empty: 'No approvals were recorded.' },
      { title: 'Tests', head: ['stage', 'total', 'passed', 'failed', 'skipped', 'flaky', 'line coverage', 'failures'], rows: b.tests.map((t) => [t.stageId, String(t.total), String(t.passed), String(t.failed), String(t.skipped), String(t.flaky), t.coverage === undefined ? '' : `${t.coverage}%`, t.failures.join(', ')]), empty: 'No test results were recorded in this run.' },
      { title: 'Lint', head: ['stage', 'tool', 'errors', 'warnings', 'notes'], rows: b.lint.map((l) => [l.stageId, l.tool, String(l.errors), String(l.warnings), String(l.notes)]), empty: 'No lint results were recorded in this run.' },
      { title: 'Images and provenance', head: ['stage', 'reference', 'digest'], rows: [...b.images.flatMap((i) => i.refs.map((r) => [i.stageId, r.ref, r.digest])), ...b.provenance.map((p) => [p.stageId, 'in-toto provenance statement', 'see evidence.json'])], empty: 'No images were pushed in this run.' },
      { title: 'Stages and gates', head: ['stage', 'status', 'duration', 'gates'], rows: b.stages.map((s) => [s.stageId, s.status, s.durationMs === undefined ? '' : `${s.durationMs} ms`, s.gates.map((g) => `${g.gate}: ${g.verdict} (${g.reason})`).join('; ')]), empty: 'The run is no longer in the store (pruned); the deployment record remains.' },
      { title: 'Verification', head: ['check', 'result'], rows: [['outcome', b.verification.outcome], ...(b.verification.error ? [['error', b.verification.error]] : []), ...b.verification.gates.map((g) => [g.gate, `${g.verdict}: ${g.reason}`])], empty: '' },
      { title: 'Audit trail of the run', head: ['#', 'when', 'action', 'actor', 'hash'], rows: b.audit.map((e) => [String(e.seq), iso(e.at), e.action, e.actor, e.hash.slice(0, 16)]), empty: 'No audit entries.' },
    ],
  }
}

const mdCell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')

export function renderEvidenceMarkdown(b: EvidenceBundle): string {
  const model = sections(b)
  const lines = [`# ${mdCell(model.title)}`, '', `Generated ${b.generatedAt} from the Pipewright store; the same facts are in evidence.json.`, '', '| | |', '| --- | --- |']
  for (const [k, v] of model.facts) lines.push(`| ${k} | ${mdCell(v)} |`)
  for (const s of model.sections) {
    lines.push('', `## ${s.title}`, '')
    if (s.rows.length === 0) lines.push(s.empty)
    else lines.push(`| ${s.head.join(' | ')} |`, `| ${s.head.map(() => '---').join(' | ')} |`, ...s.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`))
  }
  return `${lines.join('\n')}\n`
}

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** A self-contained page (no scripts, no external resources) that opens in any browser. */
export function renderEvidenceHtml(b: EvidenceBundle): string {
  const model = sections(b)
  const table = (head: string[], rows: string[][]) => `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
  const body = [
    `<h1>${esc(model.title)}</h1>`,
    `<p>Generated ${esc(b.generatedAt)} from the Pipewright store; the same facts are in evidence.json.</p>`,
    `<table class="facts"><tbody>${model.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`,
    ...model.sections.map((s) => `<h2>${esc(s.title)}</h2>${s.rows.length === 0 ? `<p>${esc(s.empty)}</p>` : table(s.head, s.rows)}`),
  ]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(model.title)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}.facts th{width:14em}</style>
</head><body>
${body.join('\n')}
</body></html>
`
}
