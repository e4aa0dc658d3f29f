import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDockerClient, TARGET_LABELS } from '@pipewright/plugin-docker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureAgent, type AgentClient, type EnvironmentInput } from '../src/index.js'
import { cleanupHome, freePort, get, startLoad, tempDir, until } from './helpers.js'

type Docker = Awaited<ReturnType<ReturnType<typeof createDockerClient>['engine']>>

const STATE_FILE = fileURLToPath(new URL('../../../tools/docker/.state/env', import.meta.url))

/** The engine `tools/docker/up.sh` started (its state file), or DOCKER_HOST; undefined skips (an error in CI). */
async function dockerHost(): Promise<string | undefined> {
  let host = process.env.DOCKER_HOST
  if (!host) {
    try {
      host = /^DOCKER_HOST=(.*)$/m.exec(readFileSync(STATE_FILE, 'utf8'))?.[1]
    } catch {
      // no engine started for this checkout
    }
  }
  const problem = host ? await createDockerClient({ host }).engine().then((d) => d.ping()).then(() => undefined, (e: Error) => e.message) : 'no DOCKER_HOST and no tools/docker/.state/env'
  if (!problem) return host
  if (process.env.CI === 'true') throw new Error(`the docker/container tests need the Docker engine in CI: ${problem}`)
  console.warn(`[agent] skipping docker/container tests: ${problem}`)
  return undefined
}

const host = await dockerHost()
const repo = `pw-agent-test-${process.pid}`

/** An image of busybox httpd serving `version` at / and `ok` at /healthz, on $PORT (127.0.0.1). Never pulls. */
async function makeImage(docker: Docker, version: string): Promise<string> {
  const builder = await docker.createContainer({
    Image: 'local/busybox:latest',
    Cmd: ['/bin/sh', '-c', `mkdir -p /www && echo ${version} > /www/index.html && echo ok > /www/healthz`],
    HostConfig: { NetworkMode: 'none' },
  })
  try {
    await builder.start()
    await builder.wait()
    await builder.commit({ repo, tag: version, changes: ['CMD ["/bin/sh", "-c", "exec httpd -f -p 127.0.0.1:$PORT -h /www"]'] })
  } finally {
    await builder.remove({ force: true })
  }
  return `${repo}:${version}`
}

describe.skipIf(!host)('docker/container target on the real engine', () => {
  let root: string
  let home: string
  let client: AgentClient
  let docker: Docker
  let environment: EnvironmentInput

  const containers = async (version?: string) =>
    docker.listContainers({ all: true, filters: { label: [`${TARGET_LABELS.environment}=${environment.name}`, ...(version ? [`${TARGET_LABELS.version}=${version}`] : [])] } })

  beforeAll(async () => {
    docker = await createDockerClient({ host }).engine()
    root = tempDir('dk')
    home = join(root, 'home')
    client = await ensureAgent(home, { startTimeoutMs: 60_000, env: { DOCKER_HOST: host! } })
    environment = {
      name: `dk-${process.pid}`,
      url: `http://127.0.0.1:${await freePort()}`,
      target: { uses: 'docker/container', with: {} },
      instances: 2,
      health: { path: '/healthz', intervalMs: 100, startupTimeoutMs: 20_000 },
      supervise: { checkIntervalMs: 500 },
      drainTimeoutMs: 5_000,
      // busybox httpd as PID 1 ignores SIGTERM: docker kills it after the grace period.
      stopGraceMs: 1_000,
    }
  })
  afterAll(async () => {
    await cleanupHome(home)
    // Whatever the agent could not remove (a failed test), and the test images.
    for (const c of await containers().catch(() => [])) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)
    for (const v of ['v1', 'v2']) await docker.getImage(`${repo}:${v}`).remove({ force: true }).catch(() => undefined)
  })

  it('blue-green between two images on host-network ports, no request failing, old containers removed', async () => {
    const [v1, v2] = [await makeImage(docker, 'v1'), await makeImage(docker, 'v2')]
    const first = await client.deploy({ environment, version: 'v1', source: { image: v1 }, strategy: 'blue-green' })
    expect(first.outcome, JSON.stringify(first.error)).toBe('succeeded')
    expect(await get(environment.url)).toMatchObject({ status: 200, version: 'v1' })
    const running = await containers('v1')
    expect(running.map((c) => [c.State, c.HostConfig.NetworkMode, c.Labels[TARGET_LABELS.managed]])).toEqual([
      ['running', 'host', 'pipewright-agent'],
      ['running', 'host', 'pipewright-agent'],
    ])

    const load = startLoad(environment.url, 4, 0)
    await until('v1 under load', () => (load.report().byVersion.v1 ?? 0) >= 100)
    const started = Date.now()
    const second = await client.deploy({ environment, version: 'v2', source: { image: v2 }, strategy: 'blue-green' })
    const took = Date.now() - started
    expect(second.outcome, JSON.stringify(second.error)).toBe('succeeded')
    await until('v2 under load', () => (load.report().byVersion.v2 ?? 0) >= 100)
    const report = await load.stop()
    console.log(`docker blue-green: ${report.ok} requests answered, ${report.failed} failed; switch took ${took} ms`, report.byVersion)
    expect(report.failures).toEqual([])
    expect(report.byVersion.v1).toBeGreaterThan(0)
    expect(report.byVersion.v2).toBeGreaterThan(0)

    expect(await containers('v1')).toEqual([])
    expect((await containers('v2')).map((c) => c.State)).toEqual(['running', 'running'])
    expect(second.instances.every((i) => i.containerId !== undefined)).toBe(true)
  })

  it('an image that is not on the engine is refused, never pulled', async () => {
    const result = await client.deploy({ environment, version: 'v3', source: { image: `${repo}:missing` }, strategy: 'blue-green' })
    expect(result).toMatchObject({ outcome: 'failed', servingVersion: 'v2', error: { code: 'PW_ERR_DOCKER_IMAGE' } })
    expect(result.error!.message).toContain(`image ${repo}:missing (version v3 of ${environment.name}) is not on the Docker engine`)
  })

  it('a stopped container is restarted by the supervisor', async () => {
    const [victim] = await containers('v2')
    await docker.getContainer(victim!.Id).kill()
    await until('a replacement runs', async () => {
      const env = (await client.status()).environments.find((e) => e.name === environment.name)!
      return env.instances.some((i) => i.restarts === 1 && i.state === 'running')
    })
    expect((await containers('v2')).map((c) => c.State)).toEqual(['running', 'running'])
    expect(await get(environment.url)).toMatchObject({ status: 200, version: 'v2' })
  })
})
