import { execFileSync } from 'node:child_process'
import { mkdtemp, realpath, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { GitInfo } from '@pipewright/plugin-api'

/** The remote the test repositories name; never contacted, only read back (credentials stripped). */
export const TEST_REMOTE = 'https://ci-bot:s3cr3t-token@git.example.test/team/app.git'

/** A real git repository in a temp dir holding `files`, committed, with `origin` set. */
export async function createGitRepo(files: Record<string, string>): Promise<{ dir: string; git: GitInfo }> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'pw-docker-repo-')))
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true })
    await writeFile(join(dir, name), content)
  }
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=Pipewright Test', '-c', 'user.email=test@pipewright.invalid', ...args], { encoding: 'utf8' }).trim()
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-q', '-m', 'fixture')
  git('remote', 'add', 'origin', TEST_REMOTE)
  const sha = git('rev-parse', 'HEAD')
  return {
    dir,
    git: { sha, shortSha: sha.slice(0, 7), branch: 'main', message: 'fixture', author: 'Pipewright Test', root: dir },
  }
}
