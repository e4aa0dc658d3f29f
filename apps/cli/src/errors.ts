import { formatProblem, isPipewrightError, type PipewrightError, type Problem } from '@pipewright/plugin-api'
import { relative, isAbsolute } from 'node:path'
import type { CliIo, Colors } from './io.js'
import { println } from './io.js'

/** Shows a problem's file relative to the working directory, which is what people type and click. */
export function displayProblem(p: Problem, cwd: string): string {
  const file = p.file && isAbsolute(p.file) && !relative(cwd, p.file).startsWith('..') ? relative(cwd, p.file) : p.file
  return formatProblem({ ...p, file })
}

/**
 * Prints an error the way every command does: `error CODE: message`, each problem, `fix: …`.
 * Stack traces only with --debug. Returns the exit code to use.
 */
export function reportError(error: unknown, io: CliIo, c: Colors, debug: boolean): number {
  if (isPipewrightError(error)) {
    const e = error as PipewrightError
    println(io.stderr, `${c.red(c.bold('error'))} ${c.bold(e.code)}: ${e.message}`)
    for (const p of e.problems ?? []) println(io.stderr, `  ${displayProblem(p, io.cwd)}`)
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
