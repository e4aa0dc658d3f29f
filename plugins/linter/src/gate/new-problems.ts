import type { LintProblem } from '../problems.js'

// Lines are left out on purpose: code that merely moved keeps its problems' identity.
function identity(p: LintProblem): string {
  return JSON.stringify([p.file ?? '', p.rule ?? '', p.message])
}

/**
 * Problems of `current` not present in `baseline`. Identical problems are counted, so a third
 * copy of a problem that appeared twice before is new.
 */
export function newProblems(current: readonly LintProblem[], baseline: readonly LintProblem[]): LintProblem[] {
  const remaining = new Map<string, number>()
  for (const p of baseline) remaining.set(identity(p), (remaining.get(identity(p)) ?? 0) + 1)
  return current.filter((p) => {
    const key = identity(p)
    const left = remaining.get(key) ?? 0
    if (left === 0) return true
    remaining.set(key, left - 1)
    return false
  })
}
