import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDockerClient } from '../src/client.js'
import dockerPlugin from '../src/index.js'
import type { ImageSizeEvidence } from '../src/image-size.js'
import { gateContextFor, type TestStageContext } from '@pipewright/testing'
import type { DockerPluginConfig } from '../src/schemas.js'
import { createTestStage } from './helpers/context.js'
import { dockerTestEnv, needsDocker, removeImages, uniqueName } from './helpers/docker-env.js'
import { createGitRepo } from './helpers/git-repo.js'
import { evaluateGate, loadTestPlugin, runStage, type LoadedTestPlugin } from './helpers/host.js'

const env = await dockerTestEnv()

describe('gate docker/image-size on a real engine', needsDocker(env), () => {
  const tag = `${uniqueName('sized')}:1`
  let plugin: LoadedTestPlugin
  let build: TestStageContext<DockerPluginConfig>
  let size: number

  beforeAll(async () => {
    plugin = await loadTestPlugin(dockerPlugin, { host: env!.dockerHost })
    const repo = await createGitRepo({ Dockerfile: 'FROM local/busybox:latest\nRUN head -c 300000 /dev/urandom > /blob\n' })
    build = createTestStage({ workspace: repo.dir, plugin })
    await runStage(plugin, 'docker/build', build, { tags: [tag] })
    size = (await (await createDockerClient({ host: env!.dockerHost }).engine()).getImage(tag).inspect()).Size
  })

  afterAll(async () => {
    await removeImages(env!, [tag])
  })

  it('passes an image within the limit, with the sizes as evidence', async () => {
    const result = await evaluateGate(plugin, 'docker/image-size', gateContextFor(build), { max: '50MB' })
    expect(result.verdict).toBe('pass')
    expect(result.evidence).toEqual({ image: build.captured.outputs['image-id']!, size, max: 50 * 1024 * 1024 } satisfies ImageSizeEvidence)
    expect(size).toBeGreaterThan(300_000)
  })

  it('fails an image over the limit, and reads `image` when given', async () => {
    const result = await evaluateGate(plugin, 'docker/image-size', gateContextFor(build), { max: size - 1, image: tag })
    expect(result.verdict).toBe('fail')
    expect(result.reason).toMatch(/^Image .+ is .+, over the limit of .+$/)
    expect(result.evidence).toEqual({ image: tag, size, max: size - 1 })
  })
})
