import { setTimeout as sleep } from 'node:timers/promises'
import { PipewrightError } from '@pipewright/plugin-api'
import { spawnExec, type GitExec } from '../exec.js'
import { createGitRunner, type GitRunner } from '../git.js'

/** Durable key/value storage the watcher keeps its position in (the CLI backs it with the store). */
export interface WatchState {
  get(key: string): Promise<unknown>
  set(key: string, value: unknown): Promise<void>
}

export interface WatchOptions {
  /** A git work tree (or bare repository) whose branch is watched. */
  repoDir: string
  /** Local branch name; when it has an upstream, that remote is fetched on every poll. */
  branch: string
  intervalMs: number
  state: WatchState
  /** Runs the pipeline for one commit; resolves when that run has finished. */
  runCommit: (sha: string) => Promise<{ status: string }>
  /** Aborting stops the watcher: it resolves after the commit being run (if any) finishes. */
  signal: AbortSignal
  log: (line: string) => void
  /** Process runner (default: spawn real processes). */
  exec?: GitExec
  /**
   * Who is watching, usually the pipeline's name: part of the state key, so pipelines that watch
   * the same branch with the same `state` each keep their own position. Without it the key is
   * `git.watch:<branch>`, shared by every watcher of that branch.
   */
  key?: string
}

/** What the watcher persists per branch. `started` means a run began and was not seen to finish. */
export interface WatchPosition {
  sha: string
  status: 'started' | string
  at: number
}

/**
 * The state key a watcher's position is kept under: `git.watch:<branch>`, or
 * `git.watch:<branch>:<key>` with a `key` (git forbids `:` in branch names, so keys cannot collide).
 */
export function watchStateKey(branch: string, key?: string): string {
  return key ? `git.watch:${branch}:${key}` : `git.watch:${branch}`
}

/**
 * Polls `branch` and runs the pipeline once for each new commit on it, oldest first: only the
 * branch's own (first-parent) commits, so a merge commit stands for the work it merged. The position is
 * saved as `started` before a run and with the run's status after it, so a restart continues after
 * the last commit that was started: a commit is never run twice, even when the process died during
 * its run (that run is left to `pipewright run --resume`). First start: only the current tip runs.
 */
export async function watchPipeline(options: WatchOptions): Promise<void> {
  const { signal, log, state, branch } = options
  if (branch.startsWith('-') || /\s/.test(branch)) {
    throw new PipewrightError('PW_ERR_USAGE', `Invalid branch name "${branch}" to watch`, { details: 'Pass a branch name such as main.' })
  }
  const git = createGitRunner({ exec: options.exec ?? spawnExec({ signal }) })
  const upstream = await checkBranch(git, options.repoDir, branch)
  const key = watchStateKey(branch, options.key)
  log(`watching ${branch} in ${options.repoDir}${upstream ? ` (fetching ${upstream.remote})` : ' (local branch)'} every ${options.intervalMs} ms`)

  let warnedAbout: string | undefined
  while (!signal.aborted) {
    try {
      const tip = await readTip(git, options.repoDir, branch, upstream)
      const saved = asPosition(await state.get(key))
      if (saved?.status === 'started' && warnedAbout !== saved.sha) {
        warnedAbout = saved.sha
        log(`commit ${saved.sha.slice(0, 7)} was started before a restart and not seen to finish: not running it again (resume its run with pipewright run --resume)`)
      }
      for (const sha of await pendingCommits(git, options.repoDir, saved?.sha, tip, log)) {
        if (signal.aborted) break
        await state.set(key, { sha, status: 'started', at: Date.now() } satisfies WatchPosition)
        log(`running pipeline for ${sha.slice(0, 7)}`)
        let status: string
        try {
          status = (await options.runCommit(sha)).status
        } catch (error) {
          status = 'error'
          log(`run for ${sha.slice(0, 7)} failed to start or crashed: ${error instanceof Error ? error.message : String(error)}`)
        }
        await state.set(key, { sha, status, at: Date.now() } satisfies WatchPosition)
        log(`${sha.slice(0, 7)}: ${status}`)
      }
    } catch (error) {
      if (signal.aborted) break
      log(`poll failed, retrying in ${options.intervalMs} ms: ${error instanceof Error ? error.message : String(error)}`)
    }
    try {
      await sleep(options.intervalMs, undefined, { signal })
    } catch {
      break
    }
  }
  log(`stopped watching ${branch}`)
}

interface Upstream {
  remote: string
  ref: string
}

async function checkBranch(git: GitRunner, repoDir: string, branch: string): Promise<Upstream | undefined> {
  const repo = await git.attempt(['rev-parse', '--git-dir'], { cwd: repoDir }).catch(() => undefined)
  if (!repo || repo.exitCode !== 0) {
    throw new PipewrightError('PW_ERR_GIT_REPOSITORY', `${repoDir} is not a git repository`, { details: 'Run the watcher inside a git checkout, or pass its directory.' })
  }
  const exists = await git.attempt(['rev-parse', '--verify', '-q', `refs/heads/${branch}`], { cwd: repoDir })
  if (exists.exitCode !== 0) {
    throw new PipewrightError('PW_ERR_GIT_REF', `Branch "${branch}" does not exist in ${repoDir}`, {
      details: `Create it (to follow a remote branch: git branch --track ${branch} origin/${branch}) or watch another branch.`,
    })
  }
  const remote = (await git.attempt(['config', '--get', `branch.${branch}.remote`], { cwd: repoDir })).stdout.trim()
  if (!remote || remote === '.') return undefined
  const ref = (await git.attempt(['rev-parse', '--symbolic-full-name', `${branch}@{upstream}`], { cwd: repoDir })).stdout.trim()
  return ref ? { remote, ref } : undefined
}

async function readTip(git: GitRunner, repoDir: string, branch: string, upstream: Upstream | undefined): Promise<string> {
  if (upstream) await git.run(['fetch', '--quiet', upstream.remote], { cwd: repoDir })
  const rev = upstream ? upstream.ref : `refs/heads/${branch}`
  return (await git.run(['rev-parse', '--verify', `${rev}^{commit}`], { cwd: repoDir })).trim()
}

async function pendingCommits(git: GitRunner, repoDir: string, last: string | undefined, tip: string, log: (line: string) => void): Promise<string[]> {
  if (!last) return [tip]
  if (last === tip) return []
  // --first-parent: a merged side branch's commits were not on this branch; running them (in
  // rev-list's interleaved order) would build states the branch never had.
  const listed = await git.attempt(['rev-list', '--reverse', '--first-parent', `${last}..${tip}`], { cwd: repoDir })
  if (listed.exitCode !== 0) {
    log(`last processed commit ${last.slice(0, 7)} is no longer in the repository: running only the tip ${tip.slice(0, 7)}`)
    return [tip]
  }
  return listed.stdout.split('\n').map((l) => l.trim()).filter(Boolean)
}

function asPosition(value: unknown): WatchPosition | undefined {
  if (typeof value === 'string' && value) return { sha: value, status: 'succeeded', at: 0 }
  if (typeof value === 'object' && value !== null && typeof (value as WatchPosition).sha === 'string') return value as WatchPosition
  return undefined
}
