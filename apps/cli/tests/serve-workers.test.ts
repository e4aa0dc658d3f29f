import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { connectRedis } from '@pipewright/executor-bullmq'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli, startCli, type RunningCli } from './helpers/cli.js'

// Real PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379), started by bash tools/services/up.sh;
// a schema and a queue of this test's own, removed at the end.
const POSTGRES = process.env.PIPEWRIGHT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const REDIS = process.env.PIPEWRIGHT_TEST_REDIS ?? 'redis://127.0.0.1:6379'
const id = randomBytes(5).toString('hex')
const schema = `pw_serve_workers_${id}`
const store = `${POSTGRES}?schema=${schema}`
const queue = `serve-${id}`
const env = { PIPEWRIGHT_STORE: store, PIPEWRIGHT_REDIS: REDIS }

const PIPELINE = `name: fleet
stages:
  build:
    run: echo "built by $(whoami)"
  package:
    needs: build
    runs-on: [docker]
    run: echo packaged
`

const started: RunningCli[] = []
const projects: string[] = []

afterAll(async () => {
  for (const cli of started) if (cli.child.exitCode === null) cli.child.kill('SIGINT')
  await Promise.all(started.map((cli) => cli.done))
  for (const dir of projects) await removeProject(dir)
  const client = new pg.Client({ connectionString: POSTGRES })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end())
  const redis = await connectRedis(REDIS)
  try {
    const keys = await redis.keys(`*${queue}*`)
    if (keys.length) await redis.del(...keys)
  } finally {
    redis.disconnect()
  }
}, 60_000)

describe('pipewright serve --queue (the built CLI, on PostgreSQL and Redis)', () => {
  it('runs the stages of an API-triggered run on worker processes, routed by runs-on labels', async () => {
    const cwd = await makeProject({ 'pipewright.yml': PIPELINE })
    projects.push(cwd)
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd })
    execFileSync('git', ['add', '-A'], { cwd })
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init'], { cwd })

    // Without a shared store --queue is refused, saying what it needs.
    const local = await runCli(['serve', '--queue', queue, '--port', '0'], { cwd, env: { PIPEWRIGHT_STORE: undefined } })
    expect(local.code).not.toBe(0)
    expect(local.stderr).toContain('--queue needs a shared store')

    const plain = startCli(['worker', '--queue', queue], { cwd, env })
    const docker = startCli(['worker', '--queue', queue, '--labels', 'docker'], { cwd, env })
    started.push(plain, docker)
    const [, plainId] = (await plain.waitFor(/^worker (\S+) on queue/m)) as RegExpMatchArray
    const [, dockerId] = (await docker.waitFor(/^worker (\S+) on queue/m)) as RegExpMatchArray

    const token = (await runCli(['token', 'create', '--name', 'ops', '--role', 'operator'], { cwd, env })).stdout.trim()
    const server = startCli(['serve', '--queue', queue, '--port', '0'], { cwd, env })
    started.push(server)
    const [, url] = (await server.waitFor(/Pipewright server on (http:\/\/\S+)/)) as RegExpMatchArray
    expect(server.stdout()).toContain(`run: stages on workers of queue ${queue}`)

    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const triggered = await fetch(`${url}/api/runs`, { method: 'POST', headers, body: JSON.stringify({ pipeline: 'fleet' }) })
    expect(triggered.status).toBe(202)
    const { id: runId } = (await triggered.json()) as { id: string }

    let status = 'queued'
    for (let i = 0; i < 600 && !['succeeded', 'failed', 'cancelled'].includes(status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      status = ((await (await fetch(`${url}/api/runs/${runId}`, { headers })).json()) as { run: { status: string } }).run.status
    }
    expect(status).toBe('succeeded')

    const logs = async (stage: string) => {
      const body = (await (await fetch(`${url}/api/runs/${runId}/logs?stage=${stage}`, { headers })).json()) as { lines: Array<{ text: string }> }
      return body.lines.map((l) => l.text)
    }
    // The labelled stage ran on the worker with that label; the other on one of the two.
    expect(await logs('package')).toContain(`running on worker ${dockerId}`)
    expect((await logs('build')).find((l) => l.startsWith('running on worker '))).toMatch(new RegExp(`running on worker (${plainId}|${dockerId})$`))
    expect(await logs('package')).toContain('packaged')
  }, 180_000)
})
