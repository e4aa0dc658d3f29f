import { realpathSync } from 'node:fs'
import path from 'node:path'

/** How serious a problem is. SARIF's `note` (and a matcher's `info`/`hint`) map to `note`. */
export type Severity = 'error' | 'warning' | 'note'

/** One finding of a linter or analyzer, in a shape every stage of this plugin shares. */
export interface LintProblem {
  /** Path relative to the workspace, with forward slashes; absent when the tool names no file. */
  file?: string
  line?: number
  column?: number
  severity: Severity
  message: string
  /** Rule id (`no-undef`, `TS2322`), when the tool reports one. */
  rule?: string
}

/** What a linter stage stores with the run as record kind `linter.problems`. */
export interface ProblemsRecord {
  /** Which stage type produced it: `eslint`, `sarif` or `run`. */
  tool: string
  problems: LintProblem[]
  errors: number
  warnings: number
  notes: number
}

/** Record kind the stages save and the gate reads. */
export const PROBLEMS_RECORD = 'linter.problems'

export function countProblems(problems: readonly LintProblem[]): { errors: number; warnings: number; notes: number } {
  let errors = 0
  let warnings = 0
  let notes = 0
  for (const p of problems) {
    if (p.severity === 'error') errors++
    else if (p.severity === 'warning') warnings++
    else notes++
  }
  return { errors, warnings, notes }
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, note: 2 }

/** Errors first, then by file, line and column: the order people read reports in. */
export function sortProblems(problems: readonly LintProblem[]): LintProblem[] {
  return [...problems].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  )
}

/** `src/a.js:3:7 error 'x' is not defined. (no-undef)` */
export function formatProblem(p: LintProblem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''} ` : ''
  return `${where}${p.severity} ${p.message}${p.rule ? ` (${p.rule})` : ''}`
}

/**
 * Makes a tool-reported path relative to the workspace. Tools run with the workspace as cwd
 * report real paths (symlinks resolved), so the workspace's real path is tried as well.
 */
export function createPathRelativizer(workspace: string): (file: string) => string {
  const bases = [path.resolve(workspace)]
  try {
    const real = realpathSync(workspace)
    if (real !== bases[0]) bases.push(real)
  } catch {
    // A missing workspace fails later with a clearer message from the tool itself.
  }
  return (file) => {
    if (file === '') return file
    const absolute = path.resolve(bases[0]!, file)
    let best = path.relative(bases[0]!, absolute)
    for (const base of bases.slice(1)) {
      const candidate = path.relative(base, absolute)
      if (!candidate.startsWith('..') && best.startsWith('..')) best = candidate
    }
    return best.split(path.sep).join('/')
  }
}

/** Parses `"12"` → 12; anything that is not a positive integer → undefined. */
export function toPosition(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN
  return Number.isInteger(n) && n > 0 ? n : undefined
}
