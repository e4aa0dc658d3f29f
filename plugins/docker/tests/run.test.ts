import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDockerClient } from '../src/client.js'
import dockerPlugin from '../src/index.js'
import { createTestStage, debugOf, logsOf } from './helpers/context.js'
import { dockerTestEnv, needsDocker, uniqueName } from './helpers/docker-env.js'
import { createGitRepo } from './helpers/git-repo.js'
import { rejectionOf } from './helpers/errors.js'
import { loadTestPlugin, runStage, type LoadedTestPlugin } from './helpers/host.js'

const env = await dockerTestEnv()

describe('docker/run on a real engine', needsDocker(env), () => {
  let plugin: LoadedTestPlugin
  let workspace: string
  const stageId = uniqueName('run')

  beforeAll(async () => {
    plugin = await loadTestPlugin(dockerPlugin, { host: env!.dockerHost })
    workspace = (await createGitRepo({ 'README.md': 'x\n' })).dir
  })

  async function containersOf(id: string): Promise<number> {
    const docker = await createDockerClient({ host: env!.dockerHost }).engine()
    return (await docker.listContainers({ all: true, filters: { label: [`io.pipewright.stage-id=${id}`] } })).length
  }

  afterAll(async () => {
    expect(await containersOf(stageId)).toBe(0)
  })

  it('fails on a non-zero exit with the code and the last output, and removes the container', async () => {
    const run = createTestStage({ workspace, stageId, plugin })
    const error = await rejectionOf(runStage(plugin, 'docker/run', run, { image: 'local/busybox:latest', command: 'echo checking; echo "disk full" >&2; exit 7' }))
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('PW_ERR_STAGE_FAILED')
    // The engine reads stdout and stderr through separate pipes, so their relative order varies.
    const [header, ...tail] = error.message.split('\n')
    expect(header).toBe(`stage "${stageId}" (docker/run): container from local/busybox:latest exited with code 7`)
    expect(tail.sort()).toEqual(['checking', 'disk full'])
    expect(run.captured.outputs['exit-code']).toBe('7')
    expect(await containersOf(stageId)).toBe(0)
  })

  it('has no network by default', async () => {
    const run = createTestStage({ workspace, stageId, plugin })
    await runStage(plugin, 'docker/run', run, { image: 'local/busybox:latest', command: 'ls /sys/class/net' })
    expect(logsOf(run)).toEqual(['lo'])
    expect(debugOf(run)).toEqual([expect.stringMatching(/^Started container [0-9a-f]{12} from local\/busybox:latest$/)])
  })

  it('reaches the registry on 127.0.0.1 with `network: host`', async () => {
    const run = createTestStage({ workspace, stageId, plugin })
    await runStage(plugin, 'docker/run', run, { image: 'local/busybox:latest', network: 'host', command: `wget -q -O- http://${env!.registry}/v2/` })
    expect(logsOf(run)).toEqual(['{}'])
  })

  it('applies the memory and CPU limits to the container', async () => {
    const limitsId = `${stageId}-limits`
    const run = createTestStage({ workspace, stageId: limitsId, plugin })
    // The container waits for the test to have looked at it: it is removed as soon as it exits.
    const running = runStage(plugin, 'docker/run', run, {
      image: 'local/busybox:latest',
      command: 'echo started; while [ ! -e /workspace/inspected ]; do sleep 0.1; done',
      'mount-workspace': true,
      memory: '48m',
      cpus: 0.25,
    })
    try {
      while (!logsOf(run).includes('started')) await new Promise((resolve) => setTimeout(resolve, 50))
      const docker = await createDockerClient({ host: env!.dockerHost }).engine()
      const [container] = await docker.listContainers({ filters: { label: [`io.pipewright.stage-id=${limitsId}`] } })
      const { HostConfig } = await docker.getContainer(container!.Id).inspect()
      expect(HostConfig.Memory).toBe(48 * 1024 * 1024)
      expect(HostConfig.NanoCpus).toBe(250_000_000)
    } finally {
      await writeFile(join(workspace, 'inspected'), '')
    }
    await running
    expect(await containersOf(limitsId)).toBe(0)
  })

  it('refuses an image that is not on the engine instead of pulling it', async () => {
    const run = createTestStage({ workspace, stageId, plugin })
    await expect(runStage(plugin, 'docker/run', run, { image: `${uniqueName('absent')}:1`, command: 'true' })).rejects.toMatchObject({
      code: 'PW_ERR_DOCKER_IMAGE',
      message: expect.stringContaining('is not on the Docker engine'),
    })
  })

  it('kills and removes the container when the run is cancelled', async () => {
    const controller = new AbortController()
    const cancelId = `${stageId}-cancel`
    const run = createTestStage({ workspace, stageId: cancelId, plugin, signal: controller.signal })
    const running = runStage(plugin, 'docker/run', run, { image: 'local/busybox:latest', command: 'echo started; sleep 300' })
    // Cancel once the container has really started (its first line arrived).
    while (!logsOf(run).includes('started')) await new Promise((resolve) => setTimeout(resolve, 50))
    controller.abort()
    await expect(running).rejects.toMatchObject({ code: 'PW_ERR_CANCELLED' })
    expect(await containersOf(cancelId)).toBe(0)
  })
})
