import type { Command } from 'commander'
import { commandContext, type CommandContext, type GlobalOptions } from '../context.js'
import { reportError } from '../errors.js'
import type { CliIo } from '../io.js'

/** Shared by every command of one program: the I/O and the exit code the last action chose. */
export interface CliRuntime {
  io: CliIo
  exitCode: number
}

/**
 * Wraps a command action: builds its context from the global options, turns its return value
 * into the exit code, and prints any error the one way the CLI prints errors.
 */
export function action<A extends unknown[]>(rt: CliRuntime, fn: (ctx: CommandContext, ...args: A) => Promise<number | void>) {
  return async (...raw: unknown[]): Promise<void> => {
    const command = raw[raw.length - 1] as Command
    const args = raw.slice(0, -1) as A
    const globals = command.optsWithGlobals<GlobalOptions>()
    const ctx = commandContext(rt.io, { home: globals.home, store: globals.store, debug: globals.debug })
    try {
      rt.exitCode = (await fn(ctx, ...args)) ?? 0
    } catch (error) {
      rt.exitCode = reportError(error, rt.io, ctx.c, globals.debug === true)
    }
  }
}
