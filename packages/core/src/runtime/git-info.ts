import { execFile } from 'node:child_process'
import type { GitInfo } from '@pipewright/plugin-api'

function git(dir: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd: dir, timeout: 10_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (error, stdout) => resolve(error ? undefined : stdout.trim()))
  })
}

/**
 * The `git` expression context: facts about the checkout at `dir` (or about `commit` in it, for
 * runs started for a given commit, e.g. by `pipewright watch`), or undefined outside a repository.
 */
export async function readGitInfo(dir: string, commit?: { sha: string; branch?: string }): Promise<GitInfo | undefined> {
  const rev = commit?.sha ?? 'HEAD'
  const [root, log, headBranch, tag] = await Promise.all([
    git(dir, ['rev-parse', '--show-toplevel']),
    git(dir, ['log', '-1', '--format=%H%n%h%n%an <%ae>%n%s', rev, '--']),
    commit ? Promise.resolve(undefined) : git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']),
    git(dir, ['describe', '--tags', '--exact-match', rev]),
  ])
  const branch = commit ? commit.branch : headBranch
  if (!root || !log) return undefined
  const [sha = '', shortSha = '', author = '', message = ''] = log.split('\n')
  return { sha, shortSha, author, message, root, ...(branch ? { branch } : {}), ...(tag ? { tag } : {}) }
}
