import { PipewrightError, z } from '@pipewright/plugin-api'
import { toPosition, type LintProblem } from '../problems.js'

// Only the fields used are checked; eslint adds more over time (suppressedMessages, stats …).
const eslintMessage = z.looseObject({
  ruleId: z.string().nullable().optional(),
  severity: z.number(),
  message: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
})
const eslintResult = z.looseObject({ filePath: z.string(), messages: z.array(eslintMessage) })
const eslintReport = z.array(eslintResult)

/** Maps eslint's JSON formatter output (one entry per file) to problems. */
export function parseEslintReport(data: unknown, shownAs: string, relativize: (file: string) => string): LintProblem[] {
  const parsed = eslintReport.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new PipewrightError('PW_ERR_INPUT_FILE', `${shownAs} is not an eslint JSON report: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, {
      details: 'The eslint stage expects the output of `eslint --format json`; check that no custom formatter replaced it.',
    })
  }
  const problems: LintProblem[] = []
  for (const result of parsed.data) {
    const file = relativize(result.filePath)
    for (const m of result.messages) {
      // Severity 0 ("off") never appears in reports; anything but 2 is a warning.
      const problem: LintProblem = { file, severity: m.severity === 2 ? 'error' : 'warning', message: m.message }
      const line = toPosition(m.line)
      const column = toPosition(m.column)
      if (line) problem.line = line
      if (column) problem.column = column
      if (m.ruleId) problem.rule = m.ruleId
      problems.push(problem)
    }
  }
  return problems
}
