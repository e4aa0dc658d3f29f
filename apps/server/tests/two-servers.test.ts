/**
 * Two servers on one PostgreSQL store (issue 14): a webhook delivered to either starts exactly one
 * run, a schedule slot starts exactly once, and either server streams any run live.
 *
 * Webhooks and live streaming: two real `pipewright serve` processes (the built CLI,
 * apps/cli/dist/bin.js — run `pnpm --filter @pipewright/cli build` first) on one schema of the real
 * PostgreSQL on 127.0.0.1:5432, real HTTP on 127.0.0.1, a real local git repository.
 * Schedules: two in-process servers, each with its own engine and its own connection pool on the
 * same schema, because the test must move their clock (`now`) to hit a slot; the race on the slot
 * claim is the same one (`INSERT … ON CONFLICT DO NOTHING` on the `claims` primary key).
 */
import { createEngine, type Engine } from '@pipewright/core'
import { createPostgresStore } from '@pipewright/store-postgres'
import type { Store } from '@pipewright/store-api'
import { execFileSync } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken, createServer, type PipewrightServer } from '../src/index.js'
import { tempDir, waitFor, type Json } from './helpers.js'
import { CLI, POSTGRES_URL, dropSchema, serveProcess, stopServed, type Served } from './serve-process.js'

const SCHEMA = `pw_test_two_servers_${randomBytes(5).toString('hex')}`
const STORE_URL = `${POSTGRES_URL}?schema=${SCHEMA}`
const SECRET = 'two-servers-webhook-secret'
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' }
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: gitEnv }).trim()

const APP = 'name: app\non:\n  branches: [main]\nstages:\n  hello:\n    run: echo hello\n'
// Slow enough that server B streams it while server A still runs it.
const LIVE = 'name: live\non:\n  tags: ["never-*"]\nstages:\n  slow:\n    run: echo first; sleep 2; echo second\n'
const NIGHTLY = 'name: nightly\non:\n  schedule: ["*/5 * * * *"]\nstages:\n  one:\n    run: echo scheduled\n'

/** `pipewright serve` in its own process on the shared store; resolves once it prints its URL. */
function serve(repo: string): Promise<Served> {
  return serveProcess(['-f', join(repo, 'app.yml'), '-f', join(repo, 'live.yml'), '--port', '0'], { cwd: repo, env: { PIPEWRIGHT_STORE: STORE_URL, PIPEWRIGHT_WEBHOOK_SECRET: SECRET } })
}

const stop = (served: Served | undefined) => stopServed(served)

function githubPush(sha: string, id: string): { raw: string; headers: Record<string, string> } {
  const raw = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: sha, created: false, deleted: false, commits: [{ id: sha, message: 'change', added: [], modified: ['app.yml'], removed: [] }], pusher: { name: 'mona' }, sender: { login: 'mona' } })
  const signature = createHmac('sha256', SECRET).update(raw).digest('hex')
  return { raw, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': id, 'x-hub-signature-256': `sha256=${signature}` } }
}

const idle = (store: Store) => waitFor(async () => ((await store.listRuns({ status: ['running', 'queued'] })).length === 0 ? true : undefined), 240_000, 'every run to finish')

describe('two servers on one PostgreSQL store', () => {
  let repo: string
  let sha: string
  let store: Store // the test's own connection pool, to count runs and create tokens
  const servers: Served[] = []

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm --filter @pipewright/cli build first`)
    repo = tempDir('pw-two-servers-')
    git(repo, 'init', '-q', '-b', 'main')
    writeFileSync(join(repo, 'app.yml'), APP)
    writeFileSync(join(repo, 'live.yml'), LIVE)
    writeFileSync(join(repo, 'nightly.yml'), NIGHTLY)
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'pipelines')
    sha = git(repo, 'rev-parse', 'HEAD')
    store = await createPostgresStore({ url: STORE_URL })
    // One after the other: the first start migrates the schema, the second finds it current.
    servers.push(await serve(repo))
    servers.push(await serve(repo))
  }, 120_000)

  afterAll(async () => {
    await Promise.all(servers.map((s) => stop(s)))
    await store?.close()
    await dropSchema(SCHEMA)
    if (repo) rmSync(repo, { recursive: true, force: true })
  }, 60_000)

  it('each server names the PostgreSQL store it serves in its start line, not a local directory', () => {
    for (const served of servers) {
      const line = served.output().split('\n').find((l) => l.startsWith('Pipewright server on '))
      expect(line).toContain('(store postgres://postgres@127.0.0.1:5432/postgres')
      expect(line).not.toContain(repo)
    }
  })

  it('100 concurrent deliveries, alternately to each server and each re-sent to the other, start exactly 100 runs', async () => {
    const [a, b] = servers as [Served, Served]
    const deliveries = Array.from({ length: 100 }, (_, i) => ({ id: `delivery-${i}-${randomBytes(4).toString('hex')}`, first: i % 2 === 0 ? a : b, second: i % 2 === 0 ? b : a }))
    const post = async (to: Served, id: string) => {
      const { raw, headers } = githubPush(sha, id)
      const res = await fetch(`${to.url}/hooks/github`, { method: 'POST', body: raw, headers })
      return { to, status: res.status, body: await res.json() as Json }
    }
    const answers = await Promise.all(deliveries.flatMap((d) => [post(d.first, d.id), post(d.second, d.id)]))

    const started = answers.filter((r) => r.status === 202)
    const duplicates = answers.filter((r) => r.status === 200)
    expect(answers.filter((r) => r.status !== 202 && r.status !== 200).map((r) => ({ status: r.status, body: r.body }))).toEqual([])
    // Exactly one of each pair started a run, the other answered duplicate.
    for (let i = 0; i < deliveries.length; i++) expect([answers[2 * i]!.status, answers[2 * i + 1]!.status].sort()).toEqual([200, 202])
    expect(started).toHaveLength(100)
    expect(duplicates.every((r) => r.body.status === 'duplicate' && r.body.runs.length === 0)).toBe(true)
    expect(started.every((r) => r.body.status === 'started' && r.body.runs.length === 1)).toBe(true)
    // Both servers took deliveries (the first copy of each pair alternates between them).
    expect(started.some((r) => r.to === a)).toBe(true)
    expect(started.some((r) => r.to === b)).toBe(true)

    await idle(store)
    const runs = (await store.listRuns({ limit: 10_000 })).filter((r) => r.trigger === 'webhook:github:push')
    expect(runs).toHaveLength(100)
    expect(new Set(runs.map((r) => r.id))).toEqual(new Set(started.map((r) => r.body.runs[0])))
    expect(runs.every((r) => r.status === 'succeeded' && r.sha === sha)).toBe(true)
  }, 300_000)

  it('a run started through server A streams live through server B (SSE from the shared store)', async () => {
    const [a, b] = servers as [Served, Served]
    const operator = (await createApiToken(store, { name: `operator-${randomBytes(3).toString('hex')}`, role: 'operator' })).token
    const viewer = (await createApiToken(store, { name: `viewer-${randomBytes(3).toString('hex')}`, role: 'viewer' })).token
    const res = await fetch(`${a.url}/api/runs`, { method: 'POST', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'live' }) })
    expect(res.status).toBe(202)
    const { id } = await res.json() as Json

    const stream = await fetch(`${b.url}/api/runs/${id}/events`, { headers: { authorization: `Bearer ${viewer}` } })
    expect(stream.status).toBe(200)
    expect(stream.headers.get('content-type')).toContain('text/event-stream')
    const events: Array<{ name: string; data: Json }> = []
    let statusAtFirstLine: string | undefined
    let text = ''
    const decoder = new TextDecoder()
    for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true })
      let end: number
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end)
        text = text.slice(end + 2)
        const name = /^event: (.*)$/m.exec(block)?.[1]
        const data = /^data: (.*)$/m.exec(block)?.[1]
        if (!name || data === undefined) continue
        const event = { name, data: JSON.parse(data) as Json }
        events.push(event)
        if (statusAtFirstLine === undefined && name === 'stage:log' && event.data.lines.includes('first')) statusAtFirstLine = (await store.getRun(id))?.status
      }
    }
    // The stream ended by itself, at run:finished, and carried the stage's events and both lines.
    const names = events.map((e) => e.name)
    expect(names).toContain('stage:started')
    const finished = names.indexOf('run:finished')
    expect(finished).toBeGreaterThan(names.indexOf('stage:started'))
    expect(names.slice(finished + 1).filter((n) => n !== 'stage:log')).toEqual([])
    expect(events.find((e) => e.name === 'run:finished')?.data).toMatchObject({ status: 'succeeded' })
    const lines = events.filter((e) => e.name === 'stage:log').flatMap((e) => e.data.lines as string[])
    expect(lines.indexOf('first')).toBeGreaterThanOrEqual(0)
    expect(lines.indexOf('second')).toBeGreaterThan(lines.indexOf('first'))
    // Live: B delivered the first line while A was still running the stage.
    expect(statusAtFirstLine).toBe('running')
  }, 120_000)

  it('a schedule served by two servers (own engines, own pools, same schema) starts each slot exactly once', async () => {
    let now = Date.UTC(2026, 0, 1, 10, 2, 0)
    const open: Array<{ server: PipewrightServer; engine: Engine; own: Store }> = []
    try {
      for (let i = 0; i < 2; i++) {
        const own = await createPostgresStore({ url: STORE_URL })
        const engine = createEngine({ store: own, cwd: repo, pins: 'off', env: { PATH: process.env.PATH } })
        const server = await createServer({ engine, pipelines: [join(repo, 'nightly.yml')], now: () => now, scheduleIntervalMs: 3_600_000 })
        open.push({ server, engine, own })
        await server.listen({ host: '127.0.0.1', port: 0 })
      }
      const tickBoth = async () => (await Promise.all(open.flatMap(({ server }) => [server.scheduler!.tick(), server.scheduler!.tick()]))).flat()
      // First sight at 10:02: the 10:00 slot is recorded, nothing runs.
      expect(await tickBoth()).toEqual([])
      for (const minute of [5, 10, 15]) {
        now = Date.UTC(2026, 0, 1, 10, minute, 1)
        expect(await tickBoth()).toHaveLength(1)
        expect(await tickBoth()).toHaveLength(0)
      }
      await idle(store)
      const runs = (await store.listRuns({ limit: 10_000 })).filter((r) => r.trigger === 'schedule')
      expect(runs).toHaveLength(3)
      expect(runs.every((r) => r.status === 'succeeded')).toBe(true)
    } finally {
      for (const { server, engine, own } of open) {
        await server.close()
        await engine.close()
        await own.close()
      }
    }
  }, 120_000)
})
