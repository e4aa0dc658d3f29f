import { formatProblem, isPipewrightError, type PipewrightError, type Problem } from '@pipewright/plugin-api'
import { relative, isAbsolute } from 'node:path'
import type { CliIo, Colors } from './io.js'
import { println } from './io.js'

/** A file relative to the working directory when it is inside it, which is what people type and click. */
export function displayFile(file: string, cwd: string): string {
  return isAbsolute(file) && !relative(cwd, file).startsWith('..') ? relative(cwd, file) || file : file
}

/** Shows a problem with its file relative to the working directory. */
export function displayProblem(p: Problem, cwd: string): string {
  return formatProblem({ ...p, file: p.file && displayFile(p.file, cwd) })
}

/** A problem's own fix under it: `fix: …`, further lines (an example) aligned after the label. */
export function problemFixLines(p: Problem, indent: string, c: Colors): string[] {
  if (!p.details) return []
  const [first = '', ...rest] = p.details.split('\n')
  return [`${indent}${c.cyan('fix:')} ${first}`, ...rest.map((line) => (line === '' ? '' : `${indent}     ${line}`))]
}

/**
 * Prints an error the way every command does: `error CODE: message`, each problem, `fix: …`.
 * Stack traces only with --debug. Returns the exit code to use.
 */
export function reportError(error: unknown, io: CliIo, c: Colors, debug: boolean): number {
  if (isPipewrightError(error)) {
    const e = error as PipewrightError
    println(io.stderr, `${c.red(c.bold('error'))} ${c.bold(e.code)}: ${e.message}`)
    for (const p of e.problems ?? []) {
      println(io.stderr, `  ${displayProblem(p, io.cwd)}`)
      for (const line of problemFixLines(p, '    ', c)) println(io.stderr, line)
    }
    if (e.details) println(io.stderr, `${c.cyan('fix:')} ${e.details}`)
    if (debug && e.stack) println(io.stderr, c.dim(e.stack))
    if (debug && e.cause !== undefined) println(io.stderr, c.dim(`cause: ${e.cause instanceof Error ? (e.cause.stack ?? e.cause.message) : String(e.cause)}`))
    return typeof e.exitCode === 'number' ? e.exitCode : 1
  }
  const message = error instanceof Error ? error.message : String(error)
  println(io.stderr, `${c.red(c.bold('error'))}: ${message}`)
  if (debug) {
    if (error instanceof Error && error.stack) println(io.stderr, c.dim(error.stack))
  } else {
    println(io.stderr, c.dim('Run again with --debug to see the stack trace.'))
  }
  return 1
}
