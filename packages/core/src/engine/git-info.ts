import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { GitInfo } from '@pipewright/plugin-api'

function git(dir: string, args: string[]): Promise<string | undefined> {
  return new Promise((done) => {
    execFile('git', args, { cwd: dir, timeout: 10_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (error, stdout) => done(error ? undefined : stdout))
  })
}

/** The directory holding `.git` at or above `dir`, without spawning git (most runs outside a repo pay nothing). */
export function findRepositoryRoot(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d
    if (dirname(d) === d) return undefined
  }
}

/**
 * The `git` expression context: facts about the checkout at `dir` (or about `commit` in it, for
 * runs started for a given commit, e.g. by `pipewright watch`), or undefined outside a repository.
 * One `git log` gives everything: `%D` lists the refs at the commit (`HEAD -> main, tag: v1.0.0`).
 */
export async function readGitInfo(dir: string, commit?: { sha: string; branch?: string }): Promise<GitInfo | undefined> {
  const root = findRepositoryRoot(dir)
  if (!root) return undefined
  const out = await git(dir, ['log', '-1', '--format=%H%n%h%n%an <%ae>%n%ct%n%D%n%B', commit?.sha ?? 'HEAD', '--'])
  if (!out) return undefined
  const [sha = '', shortSha = '', author = '', committed = '', refs = '', ...body] = out.replace(/\n$/, '').split('\n')
  const committedAt = Number(committed) * 1000
  const names = refs.split(', ').filter(Boolean)
  const branch = commit ? commit.branch : names.find((r) => r.startsWith('HEAD -> '))?.slice('HEAD -> '.length)
  const tag = names.find((r) => r.startsWith('tag: '))?.slice('tag: '.length)
  return { sha, shortSha, author, message: body.join('\n').trim(), root, ...(committedAt > 0 ? { committedAt } : {}), ...(branch ? { branch } : {}), ...(tag ? { tag } : {}) }
}
