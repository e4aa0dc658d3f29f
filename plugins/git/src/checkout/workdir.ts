import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'
import type { GitRunner } from '../git.js'
import type { RemoteSpec } from '../remote.js'

/**
 * Prepares `dir` for a fetch: a new repository whose `origin` is the remote, or an existing
 * checkout of the same remote. Anything else is refused so a checkout never overwrites a project.
 */
export async function prepareWorkdir(git: GitRunner, dir: string, remote: RemoteSpec, field: string): Promise<'new' | 'reused'> {
  if (existsSync(join(dir, '.git'))) {
    const current = await git.attempt(['config', '--get', 'remote.origin.url'], { cwd: dir })
    const url = current.stdout.trim()
    if (current.exitCode === 0 && url !== remote.url) {
      throw new PipewrightError('PW_ERR_GIT_WORKDIR', `${field} ${dir} is already a checkout of another repository`, {
        details: `Its origin is not ${remote.display}; set \`path:\` to another directory or remove that one.`,
      })
    }
    if (current.exitCode !== 0) await git.run(['remote', 'add', 'origin', remote.url], { cwd: dir })
    return 'reused'
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new PipewrightError('PW_ERR_GIT_WORKDIR', `${field} ${dir} is not empty and not a git checkout`, {
      details: 'Check out into an empty or new directory: set `path:` (relative to the workspace), e.g. `path: src`.',
    })
  }
  mkdirSync(dir, { recursive: true })
  await git.run(['init', '-q', dir], { cwd: dir })
  await git.run(['remote', 'add', 'origin', remote.url], { cwd: dir })
  return 'new'
}
