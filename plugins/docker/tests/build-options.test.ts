import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import dockerPlugin from '../src/index.js'
import type { ProvenanceStatement } from '../src/provenance.js'
import { createTestStage, logsOf } from './helpers/context.js'
import { dockerTestEnv, needsDocker, removeImages, uniqueName } from './helpers/docker-env.js'
import { createGitRepo } from './helpers/git-repo.js'
import { loadTestPlugin, runStage, type LoadedTestPlugin } from './helpers/host.js'

const env = await dockerTestEnv()

describe('docker/build options on a real engine', needsDocker(env), () => {
  const name = uniqueName('options')
  const targetTag = `${name}:target`
  const customTag = `${name}:custom`
  let plugin: LoadedTestPlugin

  beforeAll(async () => {
    plugin = await loadTestPlugin(dockerPlugin, { host: env!.dockerHost })
  })

  afterAll(async () => {
    // Every stage built here is an ancestor of a tagged image, so removing the tags removes them.
    await removeImages(env!, [targetTag, customTag])
  })

  async function contentOf(workspace: string, image: string, command: string): Promise<string[]> {
    const run = createTestStage({ workspace, stageId: 'inspect', plugin })
    await runStage(plugin, 'docker/run', run, { image, command })
    return logsOf(run)
  }

  it('builds only up to `target`: the image holds that stage, later stages are not built', async () => {
    const repo = await createGitRepo({
      Dockerfile: [
        `ARG LATER=${uniqueName('never-pulled')}`,
        'FROM local/busybox:latest AS base',
        `RUN echo "base ${name}" > /stage.txt && echo base > /base-only.txt`,
        'FROM base AS build',
        `RUN echo "build ${name}" > /stage.txt`,
        // Not on the engine: building past the target would fail (or try to pull it).
        'FROM ${LATER}:1 AS release',
        `RUN echo "release ${name}" > /stage.txt`,
        '',
      ].join('\n'),
    })
    const build = createTestStage({ workspace: repo.dir, plugin })
    await runStage(plugin, 'docker/build', build, { tags: [targetTag], target: 'build' })
    expect(logsOf(build).some((line) => line.includes(`release ${name}`))).toBe(false)
    expect(await contentOf(repo.dir, targetTag, 'cat /stage.txt /base-only.txt')).toEqual([`build ${name}`, 'base'])
  })

  it('builds from a custom `dockerfile` path inside the context', async () => {
    const custom = 'FROM local/busybox:latest\nCOPY payload.txt /payload.txt\n'
    const repo = await createGitRepo({
      'svc/docker/app.Dockerfile': custom,
      // The default name, which must not be used.
      'svc/Dockerfile': 'FROM local/busybox:latest\nRUN echo "wrong Dockerfile" && exit 9\n',
      'svc/payload.txt': `payload ${name}\n`,
    })
    const build = createTestStage({ workspace: repo.dir, plugin })
    await runStage(plugin, 'docker/build', build, { context: 'svc', dockerfile: 'docker/app.Dockerfile', tags: [customTag] })
    expect(await contentOf(repo.dir, customTag, 'cat /payload.txt')).toEqual([`payload ${name}`])

    const statement = (await build.records.get('docker.provenance')) as ProvenanceStatement
    expect(statement.predicate.buildDefinition.externalParameters).toMatchObject({ context: 'svc', dockerfile: 'docker/app.Dockerfile' })
    expect(statement.predicate.buildDefinition.resolvedDependencies).toContainEqual({
      name: 'docker/app.Dockerfile',
      digest: { sha256: createHash('sha256').update(custom).digest('hex') },
      annotations: { role: 'dockerfile' },
    })
  })
})
