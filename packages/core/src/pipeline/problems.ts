import type { Problem } from '@pipewright/plugin-api'
import type { SourceLocator } from './load.js'

export type PathSegment = string | number

/** `['stages', 'build', 'with', 'tag']` → `stages.build.with.tag`. */
export function dottedPath(path: readonly PathSegment[]): string {
  return path.map(String).join('.')
}

/** Collects problems, adding the file and the YAML line:column of each path. */
export class ProblemList {
  readonly items: Problem[] = []

  constructor(private readonly where: { file?: string; locator?: SourceLocator }) {}

  /**
   * `details`: how to fix it, when it needs more than the message. `offset`: a character of the
   * string at `path` to point at, rather than its key.
   */
  add(path: readonly PathSegment[], message: string, code: Problem['code'] = 'PW_ERR_CONFIG_INVALID', extra: { details?: string; offset?: number } = {}): void {
    const { details, offset } = extra
    const problem: Problem = { path: dottedPath(path), message, code }
    if (details !== undefined) problem.details = details
    if (this.where.file !== undefined) problem.file = this.where.file
    const inText = offset === undefined ? undefined : this.where.locator?.locateText?.([...path], offset)
    const position = inText ?? this.where.locator?.locate([...path])
    if (position) {
      problem.line = position.line
      problem.column = position.column
    }
    this.items.push(problem)
  }
}
