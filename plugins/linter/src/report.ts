import type { StageContext } from '@pipewright/plugin-api'
import { countProblems, formatProblem, PROBLEMS_RECORD, sortProblems, type LintProblem, type ProblemsRecord } from './problems.js'

/** How many problems the stage summary lists. */
const SUMMARY_TOP = 10

/**
 * Publishes a linter's findings: outputs `errors`, `warnings`, `notes`, the `linter.problems`
 * record the gate reads, and a summary. Problems never fail the stage here; gates decide.
 */
export async function reportProblems(ctx: StageContext, tool: string, found: readonly LintProblem[]): Promise<ProblemsRecord> {
  // Linters quote source lines (a hard-coded token is a classic finding), and records outlive the
  // log's redaction: mask problems before they are stored or summarised.
  const redact = ctx.redact
  const problems = sortProblems(found).map((p) => (p.file === undefined ? { ...p, message: redact(p.message) } : { ...p, file: redact(p.file), message: redact(p.message) }))
  const counts = countProblems(problems)
  const record: ProblemsRecord = { tool, problems, ...counts }

  ctx.outputs.set('errors', counts.errors)
  ctx.outputs.set('warnings', counts.warnings)
  ctx.outputs.set('notes', counts.notes)
  await ctx.records.save(PROBLEMS_RECORD, record)
  ctx.summary(summarize(tool, record))
  return record
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function summarize(tool: string, record: ProblemsRecord): string {
  const files = new Set(record.problems.flatMap((p) => (p.file ? [p.file] : []))).size
  const counts = [plural(record.errors, 'error'), plural(record.warnings, 'warning')]
  if (record.notes > 0) counts.push(plural(record.notes, 'note'))
  const head = record.problems.length === 0 ? `${tool}: no problems` : `${tool}: ${counts.join(', ')} in ${plural(files, 'file')}`
  const top = record.problems.slice(0, SUMMARY_TOP).map((p) => `  ${formatProblem(p)}`)
  const more = record.problems.length > SUMMARY_TOP ? [`  … and ${record.problems.length - SUMMARY_TOP} more`] : []
  return [head, ...top, ...more].join('\n')
}
