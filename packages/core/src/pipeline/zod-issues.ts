import type { z } from '@pipewright/plugin-api'
import type { PathSegment } from './problems.js'
import { didYouMean } from './suggest.js'

type Issue = z.core.$ZodIssue

export interface IssueReport {
  path: PathSegment[]
  message: string
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value} ${JSON.stringify(value)}`
}

function readPath(input: unknown, path: readonly PathSegment[]): unknown {
  let value = input
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PathSegment, unknown>)[segment]
  }
  return value
}

/**
 * Turns zod issues into `path: message` reports a person can act on: unknown keys get a
 * "did you mean", and a union reports the branch that matches the input's shape rather than
 * zod's generic "Invalid input".
 */
export function reportIssues(issues: readonly Issue[], input: unknown, prefix: readonly PathSegment[] = [], knownKeys?: (path: PathSegment[]) => string[] | undefined): IssueReport[] {
  const reports: IssueReport[] = []
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])]
    const value = readPath(input, issue.path as PathSegment[])
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys?.(path) ?? []
        for (const key of issue.keys) reports.push({ path: [...path, key], message: `Unknown key "${key}".${didYouMean(key, known)}` })
        break
      }
      case 'invalid_type':
        reports.push({ path, message: value === undefined ? `Required (${issue.expected})` : `Expected ${issue.expected}, got ${typeName(value)}` })
        break
      case 'invalid_union': {
        // A branch without a type error at its root is the one the author meant.
        const branch = issue.errors.find((errors) => errors.length > 0 && !errors.some((e) => e.code === 'invalid_type' && e.path.length === 0))
        if (branch) {
          reports.push(...reportIssues(branch, value, path, knownKeys ? (p) => knownKeys(p) : undefined))
        } else {
          const expected = [...new Set(issue.errors.flatMap((errors) => errors.filter((e) => e.code === 'invalid_type').map((e) => (e as { expected: string }).expected)))]
          reports.push({ path, message: expected.length > 0 ? `Expected ${expected.join(' or ')}, got ${value === undefined ? 'nothing' : typeName(value)}` : issue.message })
        }
        break
      }
      case 'invalid_key': {
        // A record key that fails its pattern (a stage id like "my stage"): say what keys look like.
        const inner = issue.issues.map((i) => i.message).filter(Boolean)
        const key = String(issue.path.at(-1) ?? '')
        reports.push({ path, message: `Invalid key "${key}": ${inner.join('; ') || issue.message}` })
        break
      }
      default:
        reports.push({ path, message: issue.message })
    }
  }
  return reports
}
