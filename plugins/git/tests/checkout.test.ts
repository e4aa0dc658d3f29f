import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPipewrightError, type PipewrightError } from '@pipewright/plugin-api'
import { createStageContext } from '@pipewright/testing'
import { runChanges } from '../src/changes/run.js'
import { changesConfigSchema } from '../src/changes/schema.js'
import { runCheckout } from '../src/checkout/run.js'
import { checkoutConfigSchema } from '../src/checkout/schema.js'
import { closedPort } from './helpers/git-server.js'
import { commit, git, initRepo, isolateGit, removeTempDirs, tempDir } from './helpers/repo.js'

isolateGit()
afterAll(removeTempDirs)

async function checkout(workspace: string, config: Record<string, unknown>, secrets?: Record<string, string>) {
  const ctx = createStageContext({ workspace, stageId: 'checkout', ...(secrets ? { secrets } : {}), redact: false })
  await runCheckout(ctx, checkoutConfigSchema.parse(config))
  return ctx.captured
}

async function checkoutError(workspace: string, config: Record<string, unknown>): Promise<PipewrightError> {
  const error = await checkout(workspace, config).then(() => undefined, (e: unknown) => e)
  if (!isPipewrightError(error)) throw new Error(`expected a PipewrightError, got ${String(error)}`)
  return error
}

describe('git/checkout from a local repository', () => {
  let origin: string
  let first: string
  let second: string
  let featureSha: string

  beforeAll(() => {
    origin = initRepo()
    first = commit(origin, 'feat: first', { 'a.txt': 'one' })
    git(origin, 'tag', '-a', 'v1.0.0', '-m', 'v1.0.0')
    second = commit(origin, 'fix: second\n\nbody line', { 'a.txt': 'two' })
    git(origin, 'checkout', '-q', '-b', 'feature')
    featureSha = commit(origin, 'feat: on feature', { 'b.txt': 'feature' })
    git(origin, 'checkout', '-q', 'main')
  })

  it('clones the default branch into path and sets the outputs', async () => {
    const ws = tempDir()
    const { outputs, summary } = await checkout(ws, { repo: origin, path: 'src' })
    expect(outputs.sha).toBe(second)
    expect(outputs.branch).toBe('main')
    expect(outputs.message).toBe('fix: second')
    expect(outputs.author).toBe('Ada Tester <ada@example.test>')
    expect(readFileSync(join(ws, 'src/a.txt'), 'utf8')).toBe('two')
    expect(git(join(ws, 'src'), 'rev-parse', '--abbrev-ref', 'main@{upstream}')).toBe('origin/main')
    expect(summary).toContain(second.slice(0, 7))
  })

  it('checks out a branch, a tag, a full sha and a short sha', async () => {
    expect((await checkout(tempDir(), { repo: origin, ref: 'feature' })).outputs.sha).toBe(featureSha)
    const tagged = await checkout(tempDir(), { repo: `file://${origin}`, ref: 'v1.0.0' })
    expect(tagged.outputs.sha).toBe(first)
    expect(tagged.outputs.branch).toBe('')
    expect((await checkout(tempDir(), { repo: origin, ref: first })).outputs.sha).toBe(first)
    expect((await checkout(tempDir(), { repo: origin, ref: featureSha.slice(0, 8) })).outputs.sha).toBe(featureSha)
  })

  it('also tracks the default branch, so git/changes finds the merge base of a feature branch', async () => {
    const ws = tempDir()
    await checkout(ws, { repo: origin, ref: 'feature' })
    expect(git(ws, 'symbolic-ref', 'refs/remotes/origin/HEAD')).toBe('refs/remotes/origin/main')
    expect(git(ws, 'rev-parse', 'origin/main')).toBe(second)
    const stage = createStageContext({ workspace: ws, stageId: 'changes', redact: false })
    await runChanges(stage, changesConfigSchema.parse({ filters: { b: 'b.txt', a: 'a.txt' } }))
    expect(stage.captured.outputs).toMatchObject({ base: second, files: '1', b: 'true', a: 'false' })
  })

  it('makes a shallow checkout with depth', async () => {
    const ws = tempDir()
    await checkout(ws, { repo: `file://${origin}`, depth: 1 })
    expect(git(ws, 'rev-list', '--count', 'HEAD')).toBe('1')
    expect(existsSync(join(ws, '.git/shallow'))).toBe(true)
  })

  it('fetches into an existing checkout of the same repository and cleans untracked files', async () => {
    const ws = tempDir()
    await checkout(ws, { repo: origin, ref: 'v1.0.0' })
    writeFileSync(join(ws, 'junk.txt'), 'left over')
    const { outputs } = await checkout(ws, { repo: origin, ref: 'main' })
    expect(outputs.sha).toBe(second)
    expect(existsSync(join(ws, 'junk.txt'))).toBe(false)
  })

  it('checks out submodules when asked', async () => {
    const sub = initRepo()
    commit(sub, 'sub content', { 'lib.txt': 'from submodule' })
    const parent = initRepo()
    commit(parent, 'init', { 'readme.md': 'x' })
    git(parent, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'vendor/lib')
    git(parent, 'commit', '-q', '-m', 'add submodule')
    const ws = tempDir()
    await checkout(ws, { repo: parent, submodules: true })
    expect(readFileSync(join(ws, 'vendor/lib/lib.txt'), 'utf8')).toBe('from submodule')
    const without = tempDir()
    await checkout(without, { repo: parent })
    expect(existsSync(join(without, 'vendor/lib/lib.txt'))).toBe(false)
  })

  it('refuses an unknown ref, naming it and the repository', async () => {
    const error = await checkoutError(tempDir(), { repo: origin, ref: 'no-such-branch' })
    expect(error.code).toBe('PW_ERR_GIT_REF')
    expect(error.message).toContain('"no-such-branch"')
    expect(error.message).toContain(origin)
    expect(error.details).toContain('feature')
  })

  it('refuses a path that is not a repository', async () => {
    const notRepo = tempDir()
    const error = await checkoutError(tempDir(), { repo: notRepo })
    expect(error.code).toBe('PW_ERR_GIT_REPOSITORY')
    expect(error.message).toContain(`${notRepo} is not a git repository`)
  })

  it('refuses an unreachable repository', async () => {
    const port = await closedPort()
    const error = await checkoutError(tempDir(), { repo: `http://127.0.0.1:${port}/nothing.git` })
    expect(error.code).toBe('PW_ERR_GIT_REMOTE')
    expect(error.message).toContain(`Cannot reach repository http://127.0.0.1:${port}/nothing.git`)
    expect(error.details).toMatch(/server is running/)
  })

  it('refuses to overwrite a non-empty directory or another repository', async () => {
    const ws = tempDir()
    writeFileSync(join(ws, 'pipewright.yml'), 'name: x')
    expect((await checkoutError(ws, { repo: origin })).message).toContain('is not empty and not a git checkout')
    const other = initRepo(join(tempDir(), 'other'))
    git(other, 'remote', 'add', 'origin', '/somewhere/else')
    expect((await checkoutError(join(other, '..'), { repo: origin, path: 'other' })).message).toContain('already a checkout of another repository')
  })

  it('keeps path inside the workspace', async () => {
    expect(checkoutConfigSchema.safeParse({ repo: origin, path: '../out' }).success).toBe(false)
    expect(checkoutConfigSchema.safeParse({ repo: origin, path: '/tmp/out' }).success).toBe(false)
    expect(checkoutConfigSchema.safeParse({ repo: '--upload-pack=touch /tmp/x' }).success).toBe(false)
    expect(checkoutConfigSchema.safeParse({ repo: origin, ref: '--output=/tmp/x' }).success).toBe(false)
    const ws = tempDir()
    const outside = tempDir()
    mkdirSync(join(ws, 'sub'))
    symlinkSync(outside, join(ws, 'sub/link'))
    const error = await checkoutError(ws, { repo: origin, path: 'sub/link/deeper' })
    expect(error.code).toBe('PW_ERR_PATH_ESCAPE')
    expect(existsSync(join(outside, 'deeper'))).toBe(false)
  })
})
