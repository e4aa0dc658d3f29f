import { createHmac, randomUUID } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, tempDir, waitFor, type Json, type TestServer } from './helpers.js'

const SECRET = 'webhook-secret-for-tests'
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim()

const PIPELINE = `name: app
on:
  branches: [main, "release/*"]
  tags: ["v*"]
  paths: ["src/**", "pipewright.yml"]
  pull-requests: [main]
stages:
  checkout:
    uses: git/checkout
    with: { repo: ., ref: "\${{ git.sha }}", path: co }
  show:
    needs: [checkout]
    run: cat co/src/version.txt
`

/** Each forge's real payload shape (trimmed to the fields forges always send that we read). */
function payload(forge: 'github' | 'gitlab' | 'gitea', kind: 'push' | 'tag' | 'pr', sha: string, files = ['src/version.txt'], tag = 'v1.0.0'): { event: string; body: object } {
  const commits = [{ id: sha, message: 'change', added: [], modified: files, removed: [] }]
  if (forge === 'gitlab') {
    if (kind === 'pr') return { event: 'Merge Request Hook', body: { object_kind: 'merge_request', user: { username: 'mona' }, object_attributes: { action: 'open', source_branch: 'feature', target_branch: 'main', last_commit: { id: sha } } } }
    return { event: kind === 'tag' ? 'Tag Push Hook' : 'Push Hook', body: { object_kind: kind === 'tag' ? 'tag_push' : 'push', ref: kind === 'tag' ? `refs/tags/${tag}` : 'refs/heads/main', before: '0'.repeat(40), after: sha, checkout_sha: sha, user_username: 'mona', commits, total_commits_count: 1 } }
  }
  if (kind === 'pr') return { event: 'pull_request', body: { action: 'opened', number: 7, pull_request: { head: { ref: 'feature', sha }, base: { ref: 'main' } }, sender: { login: 'mona' } } }
  return { event: 'push', body: { ref: kind === 'tag' ? `refs/tags/${tag}` : 'refs/heads/main', before: '0'.repeat(40), after: sha, created: false, deleted: false, commits, pusher: { name: 'mona' }, sender: { login: 'mona' } } }
}

function signedHeaders(forge: 'github' | 'gitlab' | 'gitea', event: string, raw: string, secret = SECRET, id: string = randomUUID()): Record<string, string> {
  const hmac = createHmac('sha256', secret).update(raw).digest('hex')
  if (forge === 'github') return { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': id, 'x-hub-signature-256': `sha256=${hmac}` }
  if (forge === 'gitea') return { 'content-type': 'application/json', 'x-gitea-event': event, 'x-gitea-delivery': id, 'x-gitea-signature': hmac }
  return { 'content-type': 'application/json', 'x-gitlab-event': event, 'x-gitlab-event-uuid': id, 'x-gitlab-token': secret }
}

describe('webhooks (real HTTP, a real local git repository)', () => {
  let t: TestServer
  let repo: string
  let shas: string[]
  beforeAll(async () => {
    repo = tempDir('pw-hooks-')
    git(repo, 'init', '-q', '-b', 'main')
    writeFileSync(join(repo, 'pipewright.yml'), PIPELINE)
    execFileSync('mkdir', ['-p', join(repo, 'src')])
    shas = []
    for (const v of ['one', 'two']) {
      writeFileSync(join(repo, 'src/version.txt'), `version ${v}\n`)
      git(repo, 'add', '-A')
      git(repo, 'commit', '-q', '-m', v)
      shas.push(git(repo, 'rev-parse', 'HEAD'))
    }
    // A light pipeline for the load test: 200 runs of one tiny stage.
    writeFileSync(join(repo, 'load.yml'), 'name: load\non:\n  tags: ["load-*"]\nstages:\n  one:\n    run: "true"\n')
    t = await startTestServer({}, { dir: repo, pipelines: [join(repo, 'pipewright.yml'), join(repo, 'load.yml')], webhookSecrets: { github: SECRET, gitlab: SECRET, gitea: SECRET }, bodyLimit: 64 * 1024 })
  })
  afterAll(async () => {
    await t?.close()
  })

  const post = (forge: string, raw: string, headers: Record<string, string>) => fetch(`${t.url}/hooks/${forge}`, { method: 'POST', body: raw, headers })
  const runCount = async () => (await t.engine.store.listRuns({ limit: 10_000 })).length

  for (const forge of ['github', 'gitlab', 'gitea'] as const) {
    it(`${forge}: a signed push runs the pipeline on the pushed commit; forged, unsigned, replayed and oversized deliveries start nothing`, async () => {
      const before = await runCount()
      const { event, body } = payload(forge, 'push', shas[0]!)
      const raw = JSON.stringify(body)
      const id = randomUUID()
      const ok = await post(forge, raw, signedHeaders(forge, event, raw, SECRET, id))
      expect(ok.status).toBe(202)
      const { runs } = await ok.json() as Json
      expect(runs).toHaveLength(1)
      const run = await waitFor(async () => {
        const r = await t.engine.runs.get(runs[0])
        return r && ['succeeded', 'failed'].includes(r.status) ? r : undefined
      })
      expect(run).toMatchObject({ status: 'succeeded', sha: shas[0], branch: 'main', trigger: `webhook:${forge}:push`, triggeredBy: 'mona' })
      // The checkout is the pushed (older) commit, not HEAD.
      expect((await t.engine.runs.logs(run.id, { stageId: 'show' })).map((l) => l.line)).toContain('version one')

      const replay = await post(forge, raw, signedHeaders(forge, event, raw, SECRET, id))
      expect(replay.status).toBe(200)
      expect(await replay.json() as Json).toEqual({ status: 'duplicate', runs: [] })

      const forged = await post(forge, raw, signedHeaders(forge, event, raw, 'not-the-secret'))
      expect(forged.status).toBe(401)
      expect((await forged.json() as Json).error.code).toBe('PW_ERR_WEBHOOK_SIGNATURE')
      const tampered = await post(forge, raw.replace(shas[0]!, shas[1]!), signedHeaders(forge, event, raw))
      expect(tampered.status).toBe(forge === 'gitlab' ? 202 : 401) // GitLab sends a token, not a signature of the body
      const unsigned = signedHeaders(forge, event, raw)
      for (const h of ['x-hub-signature-256', 'x-gitlab-token', 'x-gitea-signature']) delete unsigned[h]
      expect((await post(forge, raw, unsigned)).status).toBe(401)

      const huge = JSON.stringify({ ...body, padding: 'x'.repeat(100 * 1024) })
      expect((await post(forge, huge, signedHeaders(forge, event, huge))).status).toBe(413)
      await waitFor(async () => ((await t.engine.store.listRuns({ status: 'running' })).length === 0 ? true : undefined))
      expect(await runCount()).toBe(before + (forge === 'gitlab' ? 2 : 1))
    })

    it(`${forge}: tags and pull/merge requests start runs; pushes outside on: do not`, async () => {
      for (const [kind, expected] of [['tag', `webhook:${forge}:tag`], ['pr', `webhook:${forge}:pull-request`]] as const) {
        const { event, body } = payload(forge, kind, shas[1]!)
        const raw = JSON.stringify(body)
        const res = await post(forge, raw, signedHeaders(forge, event, raw))
        expect(res.status).toBe(202)
        const { runs } = await res.json() as Json
        expect(runs).toHaveLength(1)
        expect((await t.engine.runs.get(runs[0]))?.trigger).toBe(expected)
      }
      const docsOnly = payload(forge, 'push', shas[1]!, ['README.md'])
      const raw = JSON.stringify(docsOnly.body)
      expect(await (await post(forge, raw, signedHeaders(forge, docsOnly.event, raw))).json() as Json).toEqual({ status: 'ignored', runs: [] })
      await waitFor(async () => ((await t.engine.store.listRuns({ status: 'running' })).length === 0 ? true : undefined), 60_000)
    })
  }

  it('200 concurrent valid deliveries start exactly 200 runs; 200 forged ones start none', async () => {
    const before = await runCount()
    const deliveries = Array.from({ length: 200 }, () => {
      const { event, body } = payload('github', 'tag', shas[1]!, [], 'load-1')
      const raw = JSON.stringify(body)
      return { raw, headers: signedHeaders('github', event, raw) }
    })
    const forged = deliveries.map(({ raw }) => ({ raw, headers: signedHeaders('github', 'push', raw, 'wrong') }))
    const answers = await Promise.all([...deliveries, ...forged].map((d) => post('github', d.raw, d.headers).then((r) => r.status)))
    expect(answers.filter((s) => s === 202)).toHaveLength(200)
    expect(answers.filter((s) => s === 401)).toHaveLength(200)
    expect(await runCount()).toBe(before + 200)
    // Re-sending the same 200 (a forge retrying) starts nothing more.
    const replays = await Promise.all(deliveries.map((d) => post('github', d.raw, d.headers).then((r) => r.status)))
    expect(replays.every((s) => s === 200)).toBe(true)
    await waitFor(async () => ((await t.engine.store.listRuns({ status: ['running', 'queued'] })).length === 0 ? true : undefined), 240_000, 'the 200 runs to finish')
    expect(await runCount()).toBe(before + 200)
    const metrics = await (await fetch(`${t.url}/metrics`)).text()
    expect(metrics).toMatch(/pipewright_webhook_deliveries_total\{forge="github",outcome="rejected"\} (\d+)/)
    expect(Number(/pipewright_webhook_deliveries_total\{forge="github",outcome="duplicate"\} (\d+)/.exec(metrics)![1])).toBeGreaterThanOrEqual(200)
  }, 300_000)
})
