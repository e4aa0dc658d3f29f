import type { InstanceHandle, TargetContext } from '@pipewright/plugin-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TARGET_LABELS } from '../src/container-target.js'
import { createDockerClient } from '../src/client.js'
import dockerPlugin from '../src/index.js'
import { dockerTestEnv, uniqueName } from './helpers/docker-env.js'
import { loadTestPlugin, type LoadedTestPlugin } from './helpers/host.js'

const env = await dockerTestEnv()

describe.skipIf(!env)('docker/container target on a real engine', () => {
  let plugin: LoadedTestPlugin
  const environment = uniqueName('target')
  const ctx = (): TargetContext<any> => ({
    target: 'docker/container',
    environment,
    dataDir: '/nonexistent',
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    pluginConfig: plugin.config,
    resolve: (token) => plugin.resolver.resolve(token),
  })
  const target = () => plugin.targets.container!
  const config = (w: Record<string, unknown> = {}) => target().configSchema!.parse(w)
  const docker = () => createDockerClient({ host: env!.dockerHost }).engine()
  const labelled = async () => (await docker()).listContainers({ all: true, filters: { label: [`${TARGET_LABELS.environment}=${environment}`] } })

  beforeAll(async () => {
    plugin = await loadTestPlugin(dockerPlugin, { host: env!.dockerHost })
  })
  afterAll(async () => {
    for (const c of await labelled()) await (await docker()).getContainer(c.Id).remove({ force: true })
  })

  it('pins the image to its id at prepare, and refuses an image the engine does not have', async () => {
    const id = (await (await docker()).getImage('local/busybox:latest').inspect()).Id
    expect(await target().prepare!(ctx(), config(), { image: 'local/busybox:latest', environment, version: '1' })).toEqual({ image: id })
    await expect(target().prepare!(ctx(), config(), { image: 'local/not-here:1', environment, version: '2' })).rejects.toMatchObject({ code: 'PW_ERR_DOCKER_IMAGE' })
    await expect(target().prepare!(ctx(), config(), { directory: '/tmp', environment, version: '3' })).rejects.toMatchObject({ code: 'PW_ERR_DOCKER_IMAGE' })
  })

  it('starts a labelled host-network container with PORT, checks, adopts and stops it', async () => {
    const spec = { id: `${environment}-1`, environment, version: '1', release: { image: 'local/busybox:latest' }, host: '127.0.0.1', port: 1, env: { GREETING: 'hi' } }
    const handle: InstanceHandle = await target().start(ctx(), config({ command: 'echo "$GREETING on $PORT"; exec sleep 60' }), spec)
    expect(handle).toMatchObject({ id: spec.id, target: 'docker/container', containerId: expect.stringMatching(/^[0-9a-f]{64}$/) })
    const [info] = await labelled()
    expect(info).toMatchObject({ Id: handle.containerId, HostConfig: { NetworkMode: 'host' }, Labels: { [TARGET_LABELS.version]: '1', [TARGET_LABELS.instance]: spec.id, [TARGET_LABELS.managed]: 'pipewright-agent' } })
    expect(await target().check(ctx(), config(), handle)).toEqual({ alive: true })
    // A handle whose container id was lost is found again by its instance label.
    expect(await target().adopt!(ctx(), config(), { ...handle, containerId: 'f'.repeat(64) })).toEqual(handle)
    await target().stop(ctx(), config(), handle, { graceMs: 0 })
    expect(await labelled()).toEqual([])
    expect(await target().check(ctx(), config(), handle)).toEqual({ alive: false, reason: 'container is gone' })
    expect(await target().adopt!(ctx(), config(), handle)).toBeUndefined()
    await target().stop(ctx(), config(), handle, { graceMs: 0 })
  })

  it('reports a container that exited, with its code', async () => {
    const spec = { id: `${environment}-2`, environment, version: '1', release: { image: 'local/busybox:latest' }, host: '127.0.0.1', port: 1, env: {} }
    const handle = await target().start(ctx(), config({ command: 'exit 4' }), spec)
    const deadline = Date.now() + 20_000
    while ((await target().check(ctx(), config(), handle)).alive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(await target().check(ctx(), config(), handle)).toEqual({ alive: false, reason: 'container exited (exit code 4)', exitCode: 4 })
    expect(await target().adopt!(ctx(), config(), handle)).toBeUndefined()
    expect(await labelled()).toEqual([])
  })
})
