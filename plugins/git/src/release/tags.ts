import semver from 'semver'
import type { GitRunner } from '../git.js'

export interface VersionTag {
  tag: string
  version: string
}

/** The highest `<prefix><semver>` tag reachable from HEAD, if any. */
export async function findLastVersionTag(git: GitRunner, dir: string, prefix: string): Promise<VersionTag | undefined> {
  const out = await git.run(['tag', '--list', '--merged', 'HEAD', `${prefix}*`], { cwd: dir })
  const tags = out
    .split('\n')
    .map((t) => t.trim())
    .filter((t) => t.startsWith(prefix))
    .map((tag) => ({ tag, version: tag.slice(prefix.length) }))
    .filter((t) => semver.valid(t.version) === t.version)
  tags.sort((a, b) => semver.rcompare(a.version, b.version))
  return tags[0]
}
