import { latchEnvironment } from '@pipewright/core'
import { createSqliteStore } from '@pipewright/store-sqlite'
import type { AuditEntry } from '@pipewright/store-api'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from './helpers/cli.js'

const PIPELINE = `name: shop
environments:
  production:
    url: http://127.0.0.1:18977
    target: { uses: deploy/process, with: { command: [node, server.js] } }
stages:
  ship:
    deploy: { environment: production, version: "1.0.0" }
`

async function trail(dir: string): Promise<AuditEntry[]> {
  const out = await runCli(['audit', 'export'], { cwd: dir })
  expect(out.code, out.stderr).toBe(0)
  return out.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEntry)
}

describe('the audit trail records token changes and latch acknowledgements', () => {
  let dir: string
  beforeAll(async () => {
    dir = await makeProject({ 'pipewright.yml': PIPELINE })
  }, 300_000)
  afterAll(async () => {
    await removeProject(dir)
  }, 300_000)

  it('token create and revoke leave entries with the actor, the name and the role, never the token', async () => {
    const created = await runCli(['token', 'create', '--name', 'ci-bot', '--role', 'operator', '--as', 'alice', '--json'], { cwd: dir })
    expect(created.code, created.stderr).toBe(0)
    const { token } = JSON.parse(created.stdout) as { token: string }
    const revoked = await runCli(['token', 'revoke', 'ci-bot', '--as', 'bob'], { cwd: dir })
    expect(revoked.code, revoked.stderr).toBe(0)
    const missing = await runCli(['token', 'revoke', 'ci-bot', '--as', 'bob'], { cwd: dir })
    expect(missing.code).toBe(2)

    const entries = await trail(dir)
    expect(entries.map((e) => ({ action: e.action, actor: e.actor, source: e.source, data: e.data }))).toEqual([
      { action: 'token.created', actor: 'alice', source: 'cli', data: { name: 'ci-bot', role: 'operator' } },
      { action: 'token.revoked', actor: 'bob', source: 'cli', data: { name: 'ci-bot', role: 'operator' } },
    ])
    const exported = JSON.stringify(entries)
    expect(exported).not.toContain(token)
    expect(exported).not.toContain(token.slice(3, 20))
    const verified = await runCli(['audit', 'verify'], { cwd: dir })
    expect(verified.code, verified.stdout + verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/verifies: 2 entries/)
  }, 300_000)

  it('ack leaves an entry with who acknowledged, the latch it cleared and the comment; the chain still verifies', async () => {
    // The latch an automatic rollback sets (core's own function, on the project's real store).
    const store = createSqliteStore({ dir: join(dir, '.pipewright') })
    await latchEnvironment(store, { environment: 'production', reason: 'failed after 2 checks', latchedAt: Date.parse('2026-11-01T10:00:00Z'), runId: 'run-x', version: 'broken-2' })
    await store.close()

    const acked = await runCli(['ack', 'production', '--as', 'oncall', '--comment', 'pool size fixed'], { cwd: dir })
    expect(acked.code, acked.stderr).toBe(0)
    const last = (await trail(dir)).at(-1)!
    expect(last).toMatchObject({
      seq: 3, action: 'environment.acked', actor: 'oncall', source: 'cli', subject: { environment: 'production', runId: 'run-x' },
      data: { version: 'broken-2', reason: 'failed after 2 checks', comment: 'pool size fixed' },
    })
    // A refused ack (nothing latched any more) adds nothing.
    expect((await runCli(['ack', 'production', '--as', 'oncall'], { cwd: dir })).code).toBe(2)
    expect(await trail(dir)).toHaveLength(3)
    const verified = await runCli(['audit', 'verify'], { cwd: dir })
    expect(verified.code, verified.stdout + verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/verifies: 3 entries/)
  }, 300_000)
})
