import type { GitInfo } from '@pipewright/plugin-api'
import { spawnExec, type GitExec } from './exec.js'
import { createGitRunner } from './git.js'

/**
 * Reads the facts of the checkout at `dir` (HEAD's sha, branch, exact tag, message, author).
 * Returns undefined when `dir` is not inside a git work tree or has no commit yet.
 */
export async function readGitInfo(dir: string, exec: GitExec = spawnExec()): Promise<GitInfo | undefined> {
  const git = createGitRunner({ exec })
  const head = await git.attempt(['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { cwd: dir })
  if (head.exitCode !== 0) return undefined
  const sha = head.stdout.trim()
  const [root, branch, tag, log] = await Promise.all([
    git.attempt(['rev-parse', '--show-toplevel'], { cwd: dir }),
    git.attempt(['symbolic-ref', '--short', '-q', 'HEAD'], { cwd: dir }),
    git.attempt(['describe', '--tags', '--exact-match', 'HEAD'], { cwd: dir }),
    git.run(['log', '-1', '--format=%an <%ae>%x00%ct%x00%B', sha], { cwd: dir }),
  ])
  const [author = '', committed = '', message = ''] = log.split('\0')
  const info: GitInfo = { sha, shortSha: sha.slice(0, 7), message: message.trim(), author: author.trim(), root: root.stdout.trim() }
  if (Number(committed) > 0) info.committedAt = Number(committed) * 1000
  if (branch.exitCode === 0 && branch.stdout.trim()) info.branch = branch.stdout.trim()
  if (tag.exitCode === 0 && tag.stdout.trim()) info.tag = tag.stdout.trim()
  return info
}
