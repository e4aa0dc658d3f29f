import { PipewrightError, type ExecResult } from '@pipewright/plugin-api'
import type { GitExec } from './exec.js'

export interface GitRunOptions {
  cwd?: string
  env?: Record<string, string>
  input?: string
}

/** Runs git with argv arrays, a non-interactive environment, and secrets scrubbed from failures. */
export interface GitRunner {
  /** Runs git and returns its stdout; throws PW_ERR_GIT naming the command on a non-zero exit. */
  run(args: string[], options?: GitRunOptions): Promise<string>
  /** Runs git and returns the result whatever the exit code (stdout/stderr already scrubbed). */
  attempt(args: string[], options?: GitRunOptions): Promise<ExecResult>
  /** Removes the runner's secrets from a text. */
  scrub(text: string): string
}

/** Git must never wait for a person: no terminal prompts, no askpass programs, stable English messages. */
const NON_INTERACTIVE_ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_ASKPASS: '',
  SSH_ASKPASS: '',
  GCM_INTERACTIVE: 'never',
  LC_ALL: 'C',
}

/**
 * `redact` is the run's redactor (`ctx.redact`) inside a stage; outside one (the watcher) no
 * secrets are in play.
 */
export function createGitRunner(options: { exec: GitExec; env?: Record<string, string>; redact?: (text: string) => string }): GitRunner {
  const scrub = options.redact ?? ((text: string) => text)
  const attempt = async (args: string[], run: GitRunOptions = {}): Promise<ExecResult> => {
    const result = await options.exec(['git', ...args], {
      cwd: run.cwd,
      env: { ...NON_INTERACTIVE_ENV, ...options.env, ...run.env },
      input: run.input,
    })
    return { ...result, stdout: scrub(result.stdout), stderr: scrub(result.stderr) }
  }
  return {
    scrub,
    attempt,
    async run(args, run = {}) {
      const result = await attempt(args, run)
      if (result.exitCode !== 0) throw gitCommandError(args, result, run.cwd)
      return result.stdout
    },
  }
}

/** The last lines git printed to stderr, which carry the reason (`fatal: …`). */
export function gitReason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('hint:'))
  return lines.slice(-2).join(' ') || 'no message'
}

function gitCommandError(args: string[], result: ExecResult, cwd: string | undefined): PipewrightError {
  const where = cwd ? ` in ${cwd}` : ''
  return new PipewrightError('PW_ERR_GIT_COMMAND', `git ${args.slice(0, 2).join(' ')} failed${where} (exit ${result.exitCode}): ${gitReason(result.stderr)}`, {
    details: 'See the git message above; run the same git command by hand in that directory to investigate.',
  })
}

export type GitFailure = 'auth' | 'unreachable' | 'not-a-repository' | 'unknown-ref' | 'other'

/** Sorts a git failure into the cases a user fixes differently. */
export function classifyGitFailure(stderr: string): GitFailure {
  if (/Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP 40[13]|Permission denied \(publickey/i.test(stderr)) return 'auth'
  if (/does not appear to be a git repository|not a git repository|repository '[^']*' not found|HTTP 404|No such file or directory/i.test(stderr)) return 'not-a-repository'
  if (/Could not resolve host|Failed to connect|Connection refused|Couldn't connect|timed out|unable to access|Could not read from remote/i.test(stderr)) return 'unreachable'
  if (/couldn't find remote ref|not our ref|unknown revision|bad revision|did not match any|invalid reference|bad object/i.test(stderr)) return 'unknown-ref'
  return 'other'
}
