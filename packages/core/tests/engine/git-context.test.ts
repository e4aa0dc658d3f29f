import { execFileSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from './helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.com' }
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8' }).trim()

describe('the git expression context', () => {
  it('describes HEAD by default, or the commit a run was started for', async () => {
    project = await tempProject(`
name: git-context
stages:
  show: { run: 'echo "\${{ git.sha }}|\${{ git.shortSha }}|\${{ git.branch }}|\${{ git.tag }}|\${{ git.message }}|\${{ git.author }}"' }
`)
    git(project.dir, 'init', '-q', '-b', 'main')
    git(project.dir, 'add', '.')
    git(project.dir, 'commit', '-q', '-m', 'feat: first')
    const first = git(project.dir, 'rev-parse', 'HEAD')
    git(project.dir, 'tag', 'v1.0.0')
    git(project.dir, 'commit', '-q', '--allow-empty', '-m', 'fix: second', '-m', 'Closes #7.')
    const second = git(project.dir, 'rev-parse', 'HEAD')

    const head = await runFile(project.file)
    expect(head.logs('show')).toEqual([`${second}|${second.slice(0, 7)}|main||fix: second`, '', 'Closes #7.|Ada <ada@example.com>'])

    const old = await runFile(project.file, { commit: { sha: first, branch: 'main' } })
    expect(old.logs('show')).toEqual([`${first}|${first.slice(0, 7)}|main|v1.0.0|feat: first|Ada <ada@example.com>`])

    const missing = await createEngine().run(project.file, { commit: { sha: 'f'.repeat(40) } }).catch((e: unknown) => e)
    expect(missing).toMatchObject({ code: 'PW_ERR_COMMIT_NOT_FOUND' })
  })

  it('is empty outside a repository', async () => {
    project = await tempProject("name: no-git\nstages:\n  show: { run: 'echo \"[${{ git.sha }}]\"' }\n")
    const { logs } = await runFile(project.file, {}, { env: { ...process.env, GIT_CEILING_DIRECTORIES: '/tmp' } })
    expect(logs('show')).toEqual(['[]'])
  })
})
