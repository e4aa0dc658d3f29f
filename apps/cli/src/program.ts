import { Command, CommanderError } from 'commander'
import { createRequire } from 'node:module'
import { registerAgent } from './commands/agent.js'
import { registerApprovals } from './commands/approvals.js'
import { registerAudit } from './commands/audit.js'
import { registerDeploy } from './commands/deploy.js'
import { registerEnvironments } from './commands/environments.js'
import { registerMonitor } from './commands/monitor.js'
import { registerDoctor } from './commands/doctor.js'
import { registerGraph } from './commands/graph.js'
import { registerInit } from './commands/init.js'
import { registerLogs } from './commands/logs.js'
import { registerPlugin } from './commands/plugin-new.js'
import { registerPlugins } from './commands/plugins.js'
import { registerPrune } from './commands/prune.js'
import { registerReport } from './commands/report.js'
import { registerRun } from './commands/run.js'
import { registerRuns } from './commands/runs.js'
import { registerSchema } from './commands/schema.js'
import { registerServe } from './commands/serve.js'
import { registerToken } from './commands/token.js'
import { registerShow } from './commands/show.js'
import { registerValidate } from './commands/validate.js'
import { registerWatch } from './commands/watch.js'
import { registerWorker } from './commands/worker.js'
import type { CliRuntime } from './commands/action.js'
import { processIo, type CliIo } from './io.js'

// src/ and dist/ both sit one level below the package root.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** Exit code for invalid usage (also commander's own parse errors). */
export const USAGE_EXIT = 2

/** A `pipewright` program plus the exit code its last action chose. */
export interface PipewrightProgram {
  program: Command
  runtime: CliRuntime
}

/** Builds the `pipewright` command tree writing to `io` (default: the process's streams). */
export function createProgram(io: CliIo = processIo()): PipewrightProgram {
  const runtime: CliRuntime = { io, exitCode: 0 }
  const program = new Command('pipewright')
  program
    .description('Pipewright: describe a delivery pipeline once, run it anywhere, resume it when it breaks.')
    .version(version, '-v, --version')
    .option('--home <dir>', 'store location (default: $PIPEWRIGHT_HOME, else <pipeline dir>/.pipewright)')
    .option('--store <url>', 'a shared PostgreSQL store, postgres://USER@HOST:5432/DATABASE[?schema=NAME] (default: $PIPEWRIGHT_STORE, else the SQLite store under --home)')
    .option('--debug', 'show stack traces and engine diagnostics')
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .exitOverride()
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Getting started:
  $ pipewright init                 write a starter pipewright.yml for this project
  $ pipewright validate             check it
  $ pipewright run                  run it
  $ pipewright runs                 list runs;  pipewright show <run>  for one of them
  $ pipewright run --resume <run>   finish a run that was interrupted
  $ pipewright envs                 what each environment runs; approve, history, rollback, diff

Exit codes: 0 success, 1 pipeline failed, 2 invalid pipeline or usage, 130 cancelled.
Run 'pipewright <command> --help' for examples of each command.`,
    )

  for (const register of [registerInit, registerValidate, registerRun, registerRuns, registerShow, registerLogs, registerGraph, registerSchema, registerPlugins, registerDoctor, registerWatch, registerPrune, registerEnvironments, registerMonitor, registerDeploy, registerApprovals, registerAgent, registerPlugin, registerAudit, registerReport, registerWorker, registerServe, registerToken]) {
    register(program, runtime)
  }
  return { program, runtime }
}

/**
 * `pipewright deploy <env> --version <v>`: commander gives `--version` to the program (it prints
 * Pipewright's version) wherever it stands, so after `deploy` it is renamed to the option the
 * command parses (`--deploy-version`). Other commands keep `--version` as the program's.
 */
export function deployVersionOption(argv: string[]): string[] {
  const args = argv.slice(2)
  let i = 0
  while (i < args.length && args[i]!.startsWith('-')) i += args[i] === '--home' || args[i] === '--store' ? 2 : 1
  if (args[i] !== 'deploy') return argv
  return [...argv.slice(0, 2), ...args.slice(0, i + 1), ...args.slice(i + 1).map((a) => (a === '--version' ? '--deploy-version' : a.startsWith('--version=') ? `--deploy-version=${a.slice('--version='.length)}` : a))]
}

/** Maps commander's own exits (help, version, usage errors) to ours. */
function commanderExit(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0
  return error.exitCode === 0 ? 0 : USAGE_EXIT
}

/**
 * Runs the CLI with `argv` (as in `process.argv`: node and script first) and resolves to the
 * exit code. Never calls process.exit, except on a second Ctrl-C during a run.
 */
export async function main(argv: string[] = process.argv, io: CliIo = processIo()): Promise<number> {
  const { program, runtime } = createProgram(io)
  try {
    await program.parseAsync(deployVersionOption(argv))
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error)
    throw error
  }
  return runtime.exitCode
}
