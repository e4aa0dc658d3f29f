import { PipewrightError, type RunRecords } from '@pipewright/plugin-api'
import type { GitRunner } from '../git.js'

/** The record `git/changes` keeps per run: where the next run's comparison starts. */
export interface ChangesRecord {
  head: string
  base?: string
}

export const CHANGES_RECORD = 'git.changes'

export interface ResolvedBase {
  /** Undefined when there is nothing to compare with: every file then counts as changed. */
  sha?: string
  source: 'config' | 'previous-run' | 'merge-base' | 'none'
  /** Says where the base came from, for the summary. */
  description: string
}

/** Full sha of a commit-ish, or undefined if the repository does not have it. */
export async function commitSha(git: GitRunner, dir: string, rev: string): Promise<string | undefined> {
  const result = await git.attempt(['rev-parse', '--verify', '-q', `${rev}^{commit}`], { cwd: dir })
  return result.exitCode === 0 ? result.stdout.trim() : undefined
}

async function mergeBase(git: GitRunner, dir: string, a: string, b: string): Promise<string | undefined> {
  const result = await git.attempt(['merge-base', a, b], { cwd: dir })
  return result.exitCode === 0 ? result.stdout.trim() : undefined
}

/**
 * Picks the commit to compare `head` with: the configured base; else the head recorded by this
 * stage's last successful run (or its merge base with head when history was rewritten); else the
 * merge base with the default branch; else none.
 */
export async function resolveBase(options: {
  git: GitRunner
  dir: string
  head: string
  base?: string
  defaultBranch?: string
  records: RunRecords
  field: string
}): Promise<ResolvedBase> {
  const { git, dir, head } = options
  if (options.base) {
    const sha = await commitSha(git, dir, options.base)
    if (!sha) {
      throw new PipewrightError('PW_ERR_GIT_REF', `${options.field}.base "${options.base}" is not a commit in ${dir}`, {
        details: 'Set `base:` to a branch, tag or sha that exists in the checkout (a shallow clone may lack it: fetch more history).',
      })
    }
    return { sha, source: 'config', description: `base ${options.base}` }
  }
  const previous = await options.records.previous<ChangesRecord>(CHANGES_RECORD)
  const previousHead = previous?.data?.head
  if (previousHead && (await commitSha(git, dir, previousHead))) {
    const ancestor = await git.attempt(['merge-base', '--is-ancestor', previousHead, head], { cwd: dir })
    const sha = ancestor.exitCode === 0 ? previousHead : await mergeBase(git, dir, previousHead, head)
    if (sha) return { sha, source: 'previous-run', description: `the last successful run (${previousHead.slice(0, 7)})` }
  }
  const branch = options.defaultBranch ?? (await findDefaultBranch(git, dir))
  if (branch) {
    const branchSha = await commitSha(git, dir, branch)
    if (!branchSha && options.defaultBranch) {
      throw new PipewrightError('PW_ERR_GIT_REF', `${options.field}.default-branch "${branch}" is not a branch in ${dir}`, {
        details: 'Set `default-branch:` to a branch the checkout has (e.g. origin/main), or fetch it first.',
      })
    }
    const sha = branchSha ? await mergeBase(git, dir, head, branchSha) : undefined
    // On the default branch itself the merge base is head: that would report nothing, so fall through.
    if (sha && sha !== head) return { sha, source: 'merge-base', description: `the merge base with ${branch}` }
  }
  return { source: 'none', description: 'no earlier run or base branch: every file counts as changed' }
}

async function findDefaultBranch(git: GitRunner, dir: string): Promise<string | undefined> {
  const originHead = await git.attempt(['symbolic-ref', '-q', '--short', 'refs/remotes/origin/HEAD'], { cwd: dir })
  if (originHead.exitCode === 0 && originHead.stdout.trim()) return originHead.stdout.trim()
  for (const candidate of ['refs/remotes/origin/main', 'refs/remotes/origin/master', 'refs/heads/main', 'refs/heads/master']) {
    if (await commitSha(git, dir, candidate)) return candidate.replace(/^refs\/(remotes|heads)\//, '')
  }
  return undefined
}
