import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPipewrightError, type PipewrightError } from '@pipewright/plugin-api'
import { createStageContext, type StageCapture } from '@pipewright/testing'
import { runCheckout } from '../src/checkout/run.js'
import { checkoutConfigSchema } from '../src/checkout/schema.js'
import { resolveRemote } from '../src/remote.js'
import { startGitServer, type GitServer } from './helpers/git-server.js'
import { commit, git, initRepo, isolateGit, removeTempDirs, tempDir } from './helpers/repo.js'

isolateGit()

const PASSWORD = 's3cr3t-t0ken-VALUE'
const WRONG = 'wr0ng-pa55word-VALUE'
let server: GitServer
let openServer: GitServer
let tip: string

beforeAll(async () => {
  const root = tempDir()
  const work = initRepo()
  commit(work, 'feat: hello', { 'hello.txt': 'hi' })
  tip = commit(work, 'fix: again', { 'hello.txt': 'hi again' })
  initRepo(join(root, 'app.git'), { bare: true })
  git(work, 'push', '-q', join(root, 'app.git'), 'main')
  server = await startGitServer(root, { username: 'ci', password: PASSWORD })
  openServer = await startGitServer(root)
})
afterAll(async () => {
  await server?.close()
  await openServer?.close()
  removeTempDirs()
})

async function run(workspace: string, config: Record<string, unknown>, secrets: Record<string, string>): Promise<{ stage: StageCapture; error?: PipewrightError }> {
  const ctx = createStageContext({ workspace, stageId: 'checkout', secrets, redact: false })
  const stage = ctx.captured
  try {
    await runCheckout(ctx, checkoutConfigSchema.parse(config))
    return { stage }
  } catch (error) {
    if (!isPipewrightError(error)) throw error
    return { stage, error }
  }
}

/** Everything a leaked secret could end up in. */
function exposed(stage: StageCapture, error: PipewrightError | undefined, workspace: string): string {
  let config = ''
  try {
    config = readFileSync(join(workspace, '.git/config'), 'utf8')
  } catch {
    // no repository was created
  }
  return [error?.message, error?.details, JSON.stringify(error), stage.log(), stage.summary, ...Object.values(stage.outputs), config].join('\n')
}

describe('git/checkout over HTTP', () => {
  it('clones without credentials from an open server', async () => {
    const ws = tempDir()
    const { stage, error } = await run(ws, { repo: `${openServer.url}/app.git` }, {})
    expect(error).toBeUndefined()
    expect(stage.outputs.sha).toBe(tip)
  })

  it('clones with credentials from a secret, which appears nowhere', async () => {
    const ws = tempDir()
    const { stage, error } = await run(ws, { repo: `${server.url}/app.git`, credentials: { username: 'ci', 'password-secret': 'GIT_TOKEN' } }, { GIT_TOKEN: PASSWORD })
    expect(error).toBeUndefined()
    expect(stage.outputs.sha).toBe(tip)
    expect(readFileSync(join(ws, 'hello.txt'), 'utf8')).toBe('hi again')
    expect(git(ws, 'config', '--get', 'remote.origin.url')).toBe(`${server.url}/app.git`)
    const text = exposed(stage, error, ws)
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toContain(Buffer.from(`ci:${PASSWORD}`).toString('base64'))
    expect(server.requests.some((r) => r.authorized && r.path.endsWith('git-upload-pack'))).toBe(true)
  })

  it('fails clearly on a wrong password, without revealing it', async () => {
    const ws = tempDir()
    const { stage, error } = await run(ws, { repo: `${server.url}/app.git`, credentials: { username: 'ci', 'password-secret': 'GIT_TOKEN' } }, { GIT_TOKEN: WRONG })
    expect(error?.code).toBe('PW_ERR_GIT_AUTH')
    expect(error?.message).toBe(`Authentication to ${server.url}/app.git failed during git ls-remote`)
    expect(error?.details).toContain('"GIT_TOKEN"')
    const text = exposed(stage, error, ws)
    expect(text).not.toContain(WRONG)
    expect(text).not.toContain(Buffer.from(`ci:${WRONG}`).toString('base64'))
  })

  it('asks for credentials when the server needs them and none are set', async () => {
    const { error } = await run(tempDir(), { repo: `${server.url}/app.git` }, {})
    expect(error?.message).toContain('Authentication to')
    expect(error?.details).toContain('credentials')
  })

  it('reports a missing secret by name', async () => {
    const { error } = await run(tempDir(), { repo: `${server.url}/app.git`, credentials: { 'password-secret': 'NOPE' } }, {})
    expect(error?.code).toBe('PW_ERR_SECRET_MISSING')
    expect(error?.message).toContain('stages.checkout.with.credentials.password-secret')
  })

  it('refuses a password inside the URL without echoing it', async () => {
    const url = `http://ci:${PASSWORD}@127.0.0.1:1/app.git`
    const { stage, error } = await run(tempDir(), { repo: url }, {})
    expect(error?.code).toBe('PW_ERR_GIT_REMOTE')
    expect(error?.details).toContain('password-secret')
    expect(exposed(stage, error, tempDir())).not.toContain(PASSWORD)
  })

  it('refuses a token used as the user name in the URL, which appears nowhere', async () => {
    // What `repo: http://${{ secrets.GIT_TOKEN }}@host/app.git` becomes: the open server would accept it.
    const ws = tempDir()
    const url = openServer.url.replace('://', `://${PASSWORD}@`)
    const { stage, error } = await run(ws, { repo: `${url}/app.git` }, {})
    expect(error?.code).toBe('PW_ERR_GIT_REMOTE')
    expect(error?.message).toContain('stages.checkout.with.repo')
    expect(error?.message).toContain('user info')
    expect(error?.details).toContain('credentials')
    expect(error?.details).toContain('password-secret')
    expect(exposed(stage, error, ws)).not.toContain(PASSWORD)
  })

  it('refuses any user name in an http(s) URL, but keeps the user of ssh URLs', async () => {
    for (const repo of ['http://ci@127.0.0.1:1/app.git', 'https://@127.0.0.1:1/app.git', 'HTTPS://a@b@127.0.0.1:1/app.git']) {
      const { error } = await run(tempDir(), { repo }, {})
      expect(error, repo).toMatchObject({ code: 'PW_ERR_GIT_REMOTE', message: expect.stringContaining('user info') })
      expect(error?.message).not.toMatch(/\bci@|a@b/)
    }
    // ssh users are not secrets; resolved directly since no ssh server runs here.
    expect(resolveRemote('ssh://git@127.0.0.1:1/org/app.git', '/')).toMatchObject({ kind: 'other', url: 'ssh://git@127.0.0.1:1/org/app.git' })
    expect(resolveRemote('git@127.0.0.1:org/app.git', '/')).toMatchObject({ kind: 'other', url: 'git@127.0.0.1:org/app.git' })
    expect(() => resolveRemote(`ssh://git:${PASSWORD}@127.0.0.1/app.git`, '/')).toThrow(/contains a password/)
  })

  it('reports a repository the server does not have', async () => {
    const { error } = await run(tempDir(), { repo: `${openServer.url}/missing.git` }, {})
    expect(error?.code).toBe('PW_ERR_GIT_REPOSITORY')
    expect(error?.message).toContain(`${openServer.url}/missing.git`)
  })
})
