import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStageContext } from '@pipewright/testing'
import { runRelease } from '../src/release/run.js'
import { releaseConfigSchema } from '../src/release/schema.js'
import { startGitServer, type GitServer } from './helpers/git-server.js'
import { commit, git, initRepo, isolateGit, removeTempDirs, tempDir } from './helpers/repo.js'

isolateGit()

async function release(repo: string, config: Record<string, unknown> = {}, secrets: Record<string, string> = {}) {
  const ctx = createStageContext({ workspace: repo, stageId: 'release', secrets, redact: false })
  await runRelease(ctx, releaseConfigSchema.parse(config))
  return ctx.captured
}

describe('git/release', () => {
  afterAll(removeTempDirs)

  it('makes the first release at initial-version, then bumps by commit type', async () => {
    const repo = initRepo()
    commit(repo, 'chore: scaffold')
    commit(repo, 'feat: first feature')
    const first = await release(repo)
    expect(first.outputs.released).toBe('true')
    expect(first.outputs.version).toBe('0.1.0')
    expect(first.outputs.tag).toBe('v0.1.0')
    expect(git(repo, 'cat-file', '-t', 'v0.1.0')).toBe('tag')
    expect(git(repo, 'tag', '-l', '--format=%(contents)', 'v0.1.0')).toContain('### Features')

    commit(repo, 'fix: a bug')
    expect((await release(repo)).outputs.version).toBe('0.1.1')
    commit(repo, 'feat(api): endpoint')
    commit(repo, 'fix: another')
    const minor = await release(repo)
    expect(minor.outputs.version).toBe('0.2.0')
    expect(minor.outputs['previous-tag']).toBe('v0.1.1')
    expect(minor.outputs.changelog).toContain('- **api:** endpoint')
    expect(minor.outputs.changelog).toContain('### Bug Fixes')
    commit(repo, 'refactor: config\n\nBREAKING CHANGE: the config file moved')
    expect((await release(repo)).outputs.version).toBe('1.0.0')
  })

  it('releases nothing when nothing releasable changed', async () => {
    const repo = initRepo()
    commit(repo, 'feat: x')
    await release(repo, { 'initial-version': '1.0.0' })
    commit(repo, 'docs: readme')
    commit(repo, 'chore: deps')
    const { outputs, summary } = await release(repo)
    expect(outputs.released).toBe('false')
    expect(outputs.version).toBe('1.0.0')
    expect(git(repo, 'tag', '-l')).toBe('v1.0.0')
    expect(summary).toContain('No release')
  })

  it('prepends the section to a changelog file under its title', async () => {
    const repo = initRepo()
    writeFileSync(join(repo, 'CHANGELOG.md'), '# Changelog\n\n## 0.0.1 (2020-01-01)\n\n- old\n')
    commit(repo, 'perf: faster')
    git(repo, 'tag', '-a', 'v0.0.1', '-m', 'old', 'HEAD~0')
    commit(repo, 'perf: even faster')
    await release(repo, { 'changelog-file': 'CHANGELOG.md' })
    const text = readFileSync(join(repo, 'CHANGELOG.md'), 'utf8')
    expect(text).toMatch(/^# Changelog\n\n## 0\.0\.2 \(\d{4}-\d{2}-\d{2}\)\n\n### Performance Improvements\n\n- even faster \([0-9a-f]{7}\)\n\n## 0\.0\.1/)
  })

  it('versions a monorepo package from its own commits and tags', async () => {
    const repo = initRepo()
    commit(repo, 'feat: foo start', { 'packages/foo/index.ts': '1' })
    commit(repo, 'feat: bar start', { 'packages/bar/index.ts': '1' })
    const foo1 = await release(repo, { package: 'packages/foo' })
    expect(foo1.outputs.tag).toBe('foo@0.1.0')
    commit(repo, 'feat!: bar breaks', { 'packages/bar/index.ts': '2' })
    commit(repo, 'fix: foo fix', { 'packages/foo/index.ts': '2' })
    const foo2 = await release(repo, { package: 'packages/foo' })
    expect(foo2.outputs.version).toBe('0.1.1')
    expect(foo2.outputs.changelog).not.toContain('bar breaks')
    const bar = await release(repo, { package: 'packages/bar', 'tag-prefix': 'bar-v' })
    expect(bar.outputs.tag).toBe('bar-v0.1.0')
  })

  it('refuses a directory that is not a repository', async () => {
    await expect(release(tempDir())).rejects.toMatchObject({ code: 'PW_ERR_GIT_REPOSITORY', message: expect.stringContaining('stages.release.with.path') })
  })
})

describe('git/release push', () => {
  const PASSWORD = 'push-t0ken-VALUE'
  let server: GitServer
  let remoteDir: string

  beforeAll(async () => {
    const root = tempDir()
    remoteDir = initRepo(join(root, 'lib.git'), { bare: true })
    server = await startGitServer(root, { username: 'bot', password: PASSWORD })
  })
  afterAll(async () => {
    await server.close()
    removeTempDirs()
  })

  function clone(): string {
    const repo = initRepo()
    commit(repo, 'feat: pushed feature')
    git(repo, 'remote', 'add', 'origin', `${server.url}/lib.git`)
    return repo
  }

  it('pushes the annotated tag with credentials from a secret', async () => {
    const repo = clone()
    const stage = await release(repo, { push: true, credentials: { username: 'bot', 'password-secret': 'PUSH_TOKEN' } }, { PUSH_TOKEN: PASSWORD })
    expect(stage.outputs.released).toBe('true')
    expect(git(remoteDir, 'cat-file', '-t', 'refs/tags/v0.1.0')).toBe('tag')
    expect([stage.log(), readFileSync(join(repo, '.git/config'), 'utf8')].join('\n')).not.toContain(PASSWORD)
  })

  it('refuses a token in the remote URL as user name, drops the local tag and reveals nothing', async () => {
    const repo = clone()
    git(repo, 'remote', 'set-url', 'origin', `${server.url.replace('://', `://${PASSWORD}@`)}/lib.git`)
    const stage = createStageContext({ workspace: repo, stageId: 'release', redact: false })
    const error = await runRelease(stage, releaseConfigSchema.parse({ push: true, 'tag-prefix': 'u' })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_GIT_REMOTE', message: expect.stringContaining('stages.release.with.remote "origin"') })
    expect(error).toMatchObject({ message: expect.stringContaining('user info'), details: expect.stringContaining('password-secret') })
    expect(git(repo, 'tag', '-l')).toBe('')
    expect([JSON.stringify(error), String(error), stage.captured.log()].join('\n')).not.toContain(PASSWORD)
  })

  it('fails on a wrong password, drops the local tag and reveals nothing', async () => {
    const repo = clone()
    const wrong = 'wrong-VALUE-123'
    const stage = createStageContext({ workspace: repo, stageId: 'release', secrets: { PUSH_TOKEN: wrong }, redact: false })
    const error = await runRelease(stage, releaseConfigSchema.parse({ push: true, 'tag-prefix': 'x', credentials: { 'password-secret': 'PUSH_TOKEN' } })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_GIT_AUTH', message: `Authentication to ${server.url}/lib.git failed during git push` })
    expect(git(repo, 'tag', '-l')).toBe('')
    expect([JSON.stringify(error), String(error), stage.captured.log(), readFileSync(join(repo, '.git/config'), 'utf8')].join('\n')).not.toContain(wrong)
  })
})
