import { describe, expect, it } from 'vitest'
import { runCli, startCli, useTempProjects } from './helpers/cli.js'

const PIPELINE = 'name: hello\nstages:\n  build:\n    run: echo hi\n'

describe('pipewright token and pipewright serve (the built CLI)', () => {
  const project = useTempProjects()

  it('creates a token shown once (stored as a hash), serves /api with it, lists and revokes it', async () => {
    const cwd = await project({ 'pipewright.yml': PIPELINE })
    const created = await runCli(['token', 'create', '--name', 'alice', '--role', 'approver'], { cwd })
    expect(created.code).toBe(0)
    const token = created.stdout.trim()
    expect(token).toMatch(/^pw_[A-Za-z0-9_-]{40,}$/)
    expect((await runCli(['token', 'create', '--name', 'alice', '--role', 'viewer'], { cwd })).stderr).toContain('PW_ERR_USAGE')
    expect((await runCli(['token', 'create', '--name', 'bob', '--role', 'root'], { cwd })).stderr).toContain('Use one of viewer, operator, approver, admin')
    const listed = await runCli(['token', 'list', '--json'], { cwd })
    expect(listed.stdout).not.toContain(token)
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'alice', role: 'approver' })])

    const server = startCli(['serve', '--port', '0'], { cwd })
    try {
      const [, url] = (await server.waitFor(/on (http:\/\/127\.0\.0\.1:\d+)/)) as RegExpMatchArray
      expect(await (await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ name: 'alice', role: 'approver' })
      expect((await runCli(['token', 'revoke', 'alice'], { cwd })).code).toBe(0)
      expect((await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401)
    } finally {
      server.child.kill('SIGINT')
      expect((await server.done).code).toBe(0)
    }
  })
})
