import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDockerClient } from '../src/client.js'
import dockerPlugin from '../src/index.js'
import type { ProvenanceStatement } from '../src/provenance.js'
import { createRecordBook } from '@pipewright/testing'
import { createTestStage, logsOf } from './helpers/context.js'
import { dockerTestEnv, needsDocker, removeImages, uniqueName } from './helpers/docker-env.js'
import { createGitRepo } from './helpers/git-repo.js'
import { rejectionOf } from './helpers/errors.js'
import { loadTestPlugin, runStage, type LoadedTestPlugin } from './helpers/host.js'

const env = await dockerTestEnv()

const DOCKERFILE = [
  'FROM local/busybox:latest',
  'ARG GREETING=hello',
  'COPY . /ctx',
  'RUN echo "greeting: $GREETING" > /greeting.txt',
  'CMD ["cat", "/ctx/message.txt"]',
  '',
].join('\n')

describe('docker/build → docker/run → docker/push on a real engine', needsDocker(env), () => {
  const name = uniqueName('app')
  const tags = [`${name}:1.0`, `${name}:latest`]
  const records = createRecordBook()
  const runId = `run-${name}`
  let plugin: LoadedTestPlugin
  let repo: Awaited<ReturnType<typeof createGitRepo>>
  const stageEnv = (): Record<string, string> => ({ DOCKER_HOST: env!.dockerHost })
  const stage = (stageId: string, secrets: Record<string, string> = {}) =>
    createTestStage({ workspace: repo.dir, stageId, runId, env: stageEnv(), git: repo.git, plugin, records, secrets })

  beforeAll(async () => {
    plugin = await loadTestPlugin(dockerPlugin)
    repo = await createGitRepo({
      Dockerfile: DOCKERFILE,
      'message.txt': 'hello from the build context\n',
      'secret.txt': 'must not reach the image\n',
      '.dockerignore': 'secret.txt\n',
    })
  })

  const imageIds: string[] = []

  afterAll(async () => {
    const refs = [...tags, `${env!.registry}/${name}:1.0`, `${env!.registry}/${name}:latest`, `${env!.authRegistry}/${name}:1.0`, `${env!.authRegistry}/${name}:latest`]
    await removeImages(env!, [...refs, ...imageIds])
  })

  it('builds the image with labels, streamed log and outputs', async () => {
    const build = await stage('build')
    await runStage(plugin, 'docker/build', build, { tags, 'build-args': { GREETING: 'bonjour' }, labels: { team: 'platform' } })

    const imageId = build.captured.outputs['image-id']!
    imageIds.push(imageId)
    expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(build.captured.outputs.tags).toBe(tags.join(','))
    // The classic builder adds one step per label, so only the first step's number is fixed.
    expect(logsOf(build).some((line) => /^Step 1\/\d+ : FROM local\/busybox:latest$/.test(line))).toBe(true)

    const docker = await createDockerClient({ host: env!.dockerHost }).engine()
    const info = await docker.getImage(tags[0]!).inspect()
    expect(info.Id).toBe(imageId)
    const labels = info.Config.Labels ?? {}
    expect(labels['org.opencontainers.image.revision']).toBe(repo.git.sha)
    expect(labels['org.opencontainers.image.source']).toBe('https://git.example.test/team/app.git')
    expect(labels['io.pipewright.run-id']).toBe(runId)
    expect(new Date(labels['org.opencontainers.image.created']!).toISOString()).toBe(labels['org.opencontainers.image.created'])
    expect(labels.team).toBe('platform')
  })

  it('writes an in-toto SLSA provenance statement as artifact and record', async () => {
    const build = await stage('build-provenance')
    await runStage(plugin, 'docker/build', build, { tags: [tags[0]], 'build-args': { GREETING: 'bonjour' } })
    const imageId = build.captured.outputs['image-id']!
    imageIds.push(imageId)

    const path = build.captured.outputs.provenance!
    expect(path).toBe(`provenance/${name}.intoto.json`)
    const text = build.captured.artifact(path)!.toString('utf8')
    const statement = JSON.parse(text) as ProvenanceStatement
    expect(statement._type).toBe('https://in-toto.io/Statement/v1')
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1')
    expect(statement.subject).toEqual([{ name, digest: { sha256: imageId.slice('sha256:'.length) } }])

    const definition = statement.predicate.buildDefinition
    expect(definition.externalParameters).toMatchObject({ context: '.', dockerfile: 'Dockerfile', buildArgs: { GREETING: 'bonjour' } })
    const dockerfileDigest = createHash('sha256').update(DOCKERFILE).digest('hex')
    expect(definition.resolvedDependencies).toEqual([
      { uri: 'git+https://git.example.test/team/app.git@refs/heads/main', digest: { gitCommit: repo.git.sha } },
      { name: 'Dockerfile', digest: { sha256: dockerfileDigest }, annotations: { role: 'dockerfile' } },
    ])
    expect(statement.predicate.runDetails.metadata.invocationId).toBe(`${runId}/build-provenance`)
    expect(text).not.toContain('s3cr3t-token')
    expect(await build.records.get('docker.provenance')).toEqual(statement)
  })

  it('runs the image: output streamed, build args baked in, .dockerignore honoured', async () => {
    const run = await stage('run')
    await runStage(plugin, 'docker/run', run, {
      image: tags[0],
      command: 'cat /ctx/message.txt /greeting.txt; echo "FOO=$FOO"; test ! -e /ctx/secret.txt && echo "no secret.txt"; echo to-stderr >&2',
      env: { FOO: 'bar' },
    })
    expect(logsOf(run)).toEqual(expect.arrayContaining(['hello from the build context', 'greeting: bonjour', 'FOO=bar', 'no secret.txt', 'to-stderr']))
    expect(run.captured.outputs['exit-code']).toBe('0')
  })

  it('mounts the workspace, with limits, as another user', async () => {
    const run = await stage('run-mounted')
    await runStage(plugin, 'docker/run', run, {
      image: tags[0],
      command: ['sh', '-c', 'pwd; cat message.txt; echo written > /workspace/from-container.txt; id -u'],
      'mount-workspace': true,
      memory: '64m',
      cpus: 0.5,
    })
    expect(logsOf(run)).toEqual(expect.arrayContaining(['/workspace', 'hello from the build context', '0']))
    expect(await readFile(join(repo.dir, 'from-container.txt'), 'utf8')).toBe('written\n')

    const asNobody = await stage('run-nobody')
    await runStage(plugin, 'docker/run', asNobody, { image: tags[0], command: 'id -u', user: '65534' })
    expect(logsOf(asNobody)).toContain('65534')
  })

  it('pushes the build stage tags to a plain registry and reads them back', async () => {
    const push = await stage('push')
    await runStage(plugin, 'docker/push', push, { registry: env!.registry })
    const digest = push.captured.outputs.digest!
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(push.captured.outputs.refs).toBe(`${env!.registry}/${name}:1.0,${env!.registry}/${name}:latest`)

    const list = (await (await fetch(`http://${env!.registry}/v2/${name}/tags/list`)).json()) as { tags: string[] }
    expect(list.tags.sort()).toEqual(['1.0', 'latest'])
    const manifest = await fetch(`http://${env!.registry}/v2/${name}/manifests/1.0`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    })
    expect(manifest.headers.get('docker-content-digest')).toBe(digest)
  })

  it('pushes to a registry with basic auth, the password read from a secret', async () => {
    const push = await stage('push-auth', { REGISTRY_PASSWORD: env!.password })
    await runStage(plugin, 'docker/push', push, {
      tags: `${tags[0]}`,
      registry: env!.authRegistry,
      credentials: { username: env!.user, 'password-secret': 'REGISTRY_PASSWORD' },
    })
    expect(push.captured.outputs.digest).toMatch(/^sha256:/)

    const url = `http://${env!.authRegistry}/v2/${name}/tags/list`
    expect((await fetch(url)).status).toBe(401)
    const authorization = `Basic ${Buffer.from(`${env!.user}:${env!.password}`).toString('base64')}`
    const list = (await (await fetch(url, { headers: { authorization } })).json()) as { tags: string[] }
    expect(list.tags).toEqual(['1.0'])
    expect(logsOf(push).join('\n')).not.toContain(env!.password)
  })

  it('fails a push with a wrong password clearly, without the secret', async () => {
    const wrong = `wrong-${Math.random().toString(36).slice(2)}`
    const push = await stage('push-wrong', { REGISTRY_PASSWORD: wrong })
    const error = await rejectionOf(
      runStage(plugin, 'docker/push', push, {
        tags: [tags[1]],
        registry: env!.authRegistry,
        credentials: { username: env!.user, 'password-secret': 'REGISTRY_PASSWORD' },
      }),
    )
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('PW_ERR_DOCKER_AUTH')
    expect(error.message).toContain(`registry ${env!.authRegistry} refused the push`)
    expect(error.message).toContain('authentication failed for user "pipewright" with the password from secret "REGISTRY_PASSWORD"')
    expect(`${error.message} ${error.details} ${logsOf(push).join('\n')}`).not.toContain(wrong)
  })

  it('fails a push without credentials to an auth registry, saying what to set', async () => {
    const push = await stage('push-anonymous')
    await expect(runStage(plugin, 'docker/push', push, { tags: [tags[1]], registry: env!.authRegistry })).rejects.toMatchObject({
      code: 'PW_ERR_DOCKER_AUTH',
      message: expect.stringContaining('authentication failed for no credentials'),
      details: expect.stringContaining('with.credentials'),
    })
  })
})
