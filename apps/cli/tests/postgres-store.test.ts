import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from './helpers/cli.js'

// A real PostgreSQL on 127.0.0.1:5432 (bash tools/services/up.sh); each test run uses a schema of its own.
const POSTGRES = process.env.PIPEWRIGHT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const schema = `pw_cli_${randomBytes(5).toString('hex')}`
const url = `${POSTGRES}?schema=${schema}`
const projects: string[] = []

afterAll(async () => {
  for (const dir of projects) await removeProject(dir)
  const client = new pg.Client({ connectionString: POSTGRES })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end())
})

describe('--store postgres://… and PIPEWRIGHT_STORE', () => {
  it('keeps runs in PostgreSQL: a run in one directory is listed and shown from another, and no SQLite store is written', async () => {
    const a = await makeProject({ 'pipewright.yml': 'name: shared\nstages:\n  hello:\n    run: echo "hello from postgres"\n' })
    const b = await makeProject()
    projects.push(a, b)
    const run = await runCli(['--store', url, 'run', '--json'], { cwd: a })
    expect(run.code, run.stderr).toBe(0)
    const id = (JSON.parse(run.stdout) as { id: string }).id
    const runs = await runCli(['runs', '--json'], { cwd: b, env: { PIPEWRIGHT_STORE: url } })
    expect(runs.code, runs.stderr).toBe(0)
    expect((JSON.parse(runs.stdout) as Array<{ id: string }>).map((r) => r.id)).toEqual([id])
    const logs = await runCli(['--store', url, 'logs', id, 'hello'], { cwd: b })
    expect(logs.stdout.trim()).toBe('hello from postgres')
    const sqlite = await runCli(['runs', '--json'], { cwd: a })
    expect(JSON.parse(sqlite.stdout)).toEqual([])
  }, 300_000)

  it('refuses a URL it cannot use and an unreachable server with a code and a fix, never printing the password', async () => {
    const dir = await makeProject({ 'pipewright.yml': 'name: x\nstages:\n  a:\n    run: "true"\n' })
    projects.push(dir)
    const bad = await runCli(['--store', 'mysql://me:hunter2@127.0.0.1/db', 'runs'], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('PW_ERR_STORE_URL')
    expect(bad.stderr).toContain('mysql://me:***@127.0.0.1/db')
    const down = await runCli(['run'], { cwd: dir, env: { PIPEWRIGHT_STORE: 'postgres://me:hunter2@127.0.0.1:1/db' } })
    expect(down.code).toBe(1)
    expect(down.stderr).toContain('PW_ERR_STORE_UNREACHABLE')
    expect(down.stderr).toContain('tools/services/postgres.sh')
    for (const r of [bad, down]) expect(r.stdout + r.stderr).not.toContain('hunter2')
  }, 300_000)

  it('says what --queue needs and refuses bad worker labels', async () => {
    const dir = await makeProject({ 'pipewright.yml': 'name: x\nstages:\n  a:\n    run: "true"\n' })
    projects.push(dir)
    const noStore = await runCli(['run', '--queue', 'default'], { cwd: dir })
    expect(noStore.code).toBe(2)
    expect(noStore.stderr).toContain('--queue needs a shared store')
    const labels = await runCli(['--store', url, 'worker', '--labels', 'Docker,ok'], { cwd: dir })
    expect(labels.code).toBe(2)
    expect(labels.stderr).toContain('"Docker" is not a label')
  }, 300_000)
})
