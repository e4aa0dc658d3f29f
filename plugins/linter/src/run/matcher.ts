import { stripVTControlCharacters } from 'node:util'
import { toPosition, type LintProblem, type Severity } from '../problems.js'

/** Named groups a problem matcher may use; only `message` is required. */
export const MATCHER_GROUPS = ['file', 'line', 'column', 'severity', 'message', 'rule'] as const

/** Why a matcher pattern cannot be used, or undefined when it can. */
export function checkMatcherPattern(pattern: string): string | undefined {
  try {
    new RegExp(pattern)
  } catch (error) {
    return `${(error as Error).message}; write a JavaScript regular expression`
  }
  // The empty alternative always matches, and `groups` then lists every named group as undefined.
  const names = Object.keys(new RegExp(`(?:${pattern})|`).exec('')?.groups ?? {})
  const unknown = names.filter((n) => !(MATCHER_GROUPS as readonly string[]).includes(n))
  if (unknown.length > 0) return `Unknown named group${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; use ${MATCHER_GROUPS.join(', ')}`
  if (!names.includes('message')) return 'The pattern needs a named group "message", e.g. (?<message>.+)'
  return undefined
}

const SEVERITY_WORDS: Record<string, Severity> = {
  error: 'error', err: 'error', e: 'error', fatal: 'error', failure: 'error', critical: 'error',
  warning: 'warning', warn: 'warning', w: 'warning',
  note: 'note', info: 'note', information: 'note', hint: 'note', notice: 'note', suggestion: 'note', n: 'note', i: 'note',
}

/** Maps what a tool printed (`error`, `Warning`, `W`) to a severity; unknown words get the default. */
export function toSeverity(word: string | undefined, fallback: Severity): Severity {
  return (word && SEVERITY_WORDS[word.trim().toLowerCase()]) || fallback
}

export interface MatcherOptions {
  pattern: string
  defaultSeverity: Severity
  relativize: (file: string) => string
}

/** Matches the pattern against each line of a tool's output (colour codes removed). */
export function matchProblems(output: string, options: MatcherOptions): LintProblem[] {
  const re = new RegExp(options.pattern)
  const problems: LintProblem[] = []
  for (const raw of output.split(/\r?\n/)) {
    const groups = re.exec(stripVTControlCharacters(raw))?.groups
    const message = groups?.message?.trim()
    if (!groups || !message) continue
    const problem: LintProblem = { severity: toSeverity(groups.severity, options.defaultSeverity), message }
    const file = groups.file?.trim()
    if (file) problem.file = options.relativize(file)
    const line = toPosition(groups.line)
    const column = toPosition(groups.column)
    if (line) problem.line = line
    if (column) problem.column = column
    const rule = groups.rule?.trim()
    if (rule) problem.rule = rule
    problems.push(problem)
  }
  return problems
}
