import { readdirSync, readlinkSync } from 'node:fs'
import { mkdir, mkdtemp, symlink, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDockerClient } from '../src/client.js'
import dockerPlugin from '../src/index.js'
import { createTestStage } from './helpers/context.js'
import { dockerTestEnv, needsDocker, removeImages, uniqueName } from './helpers/docker-env.js'
import { createGitRepo } from './helpers/git-repo.js'
import { rejectionOf } from './helpers/errors.js'
import { loadTestPlugin, runStage, type LoadedTestPlugin } from './helpers/host.js'

const env = await dockerTestEnv()

// These fail before the engine is contacted, so they run without one.
describe('docker/build: checks before the engine', () => {
  let plugin: LoadedTestPlugin
  beforeAll(async () => {
    plugin = await loadTestPlugin(dockerPlugin, { host: 'unix:///nonexistent/docker.sock' })
  })

  it('names the path of a missing Dockerfile', async () => {
    const repo = await createGitRepo({ 'app/README.md': 'no Dockerfile here\n' })
    const build = createTestStage({ workspace: repo.dir, stageId: 'image', plugin })
    await expect(runStage(plugin, 'docker/build', build, { context: 'app', tags: ['x:1'] })).rejects.toMatchObject({
      code: 'PW_ERR_DOCKER_BUILD',
      message: `stage "image" (docker/build): Dockerfile not found at ${join(repo.dir, 'app', 'Dockerfile')}`,
      details: expect.stringContaining('with.dockerfile'),
    })
  })

  it('refuses a context that leaves the workspace through a symlink', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'pw-docker-outside-'))
    await writeFile(join(outside, 'Dockerfile'), 'FROM local/busybox:latest\n')
    const repo = await createGitRepo({ 'README.md': 'x\n' })
    await symlink(outside, join(repo.dir, 'escape'))
    const build = createTestStage({ workspace: repo.dir, plugin })
    await expect(runStage(plugin, 'docker/build', build, { context: 'escape', tags: ['x:1'] })).rejects.toMatchObject({
      code: 'PW_ERR_PATH_ESCAPE',
      message: expect.stringContaining('outside the workspace'),
    })
  })

  it('refuses a Dockerfile outside the context through a symlink', async () => {
    const repo = await createGitRepo({ 'Dockerfile.real': 'FROM local/busybox:latest\n' })
    await mkdir(join(repo.dir, 'ctx'))
    await symlink(join(repo.dir, 'Dockerfile.real'), join(repo.dir, 'ctx', 'Dockerfile'))
    const build = createTestStage({ workspace: repo.dir, plugin })
    await expect(runStage(plugin, 'docker/build', build, { context: 'ctx', tags: ['x:1'] })).rejects.toMatchObject({
      code: 'PW_ERR_PATH_ESCAPE',
      message: expect.stringContaining('outside the build context'),
    })
  })

  it('rejects ../ paths and bad tags in the config schema', () => {
    const schema = plugin.stages.build!.configSchema!
    const result = schema.safeParse({ context: '../elsewhere', tags: ['Not A Tag'] })
    expect(result.success).toBe(false)
    expect(result.error!.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['context', 'tags.0'])
  })

  it('refuses a build arg that carries a secret, naming the arg but not the value', async () => {
    const token = `tok-${Math.random().toString(36).slice(2)}`
    const repo = await createGitRepo({ Dockerfile: 'FROM local/busybox:latest\nARG TOKEN\nARG URL\n' })
    for (const buildArgs of [{ TOKEN: token }, { URL: `https://ci:${token}@git.example.test/repo.git` }]) {
      const build = createTestStage({ workspace: repo.dir, plugin, secrets: { NPM_TOKEN: token } })
      const error = await rejectionOf(runStage(plugin, 'docker/build', build, { tags: ['x:1'], 'build-args': { VERSION: '1.0', ...buildArgs } }))
      const arg = Object.keys(buildArgs)[0]!
      expect(error).toBeInstanceOf(Error)
      expect(error.code).toBe('PW_ERR_DOCKER_BUILD')
      expect(error.message).toBe(`stage "build" (docker/build): build arg "${arg}" holds the value of secret "NPM_TOKEN"; build args are stored in the image`)
      expect(error.details).toContain('docker history')
      expect(error.details).toContain('docker/run')
      expect(`${error.message} ${error.details} ${build.captured.lines.map((l) => l.line).join('\n')}`).not.toContain(token)
    }
  })

  it('says how to start an engine when none answers', async () => {
    const repo = await createGitRepo({ Dockerfile: 'FROM local/busybox:latest\n' })
    const build = createTestStage({ workspace: repo.dir, plugin })
    await expect(runStage(plugin, 'docker/build', build, { tags: ['x:1'] })).rejects.toMatchObject({
      code: 'PW_ERR_DOCKER_ENGINE',
      message: expect.stringContaining('Docker engine at unix:///nonexistent/docker.sock is not reachable'),
      details: expect.stringContaining('tools/docker/up.sh'),
    })
  })
})

describe('docker/build: a base image missing from the engine', needsDocker(env), () => {
  it('fails naming the image and the FROM line instead of pulling it', async () => {
    const plugin = await loadTestPlugin(dockerPlugin, { host: env!.dockerHost })
    const absent = uniqueName('absent-base')
    const repo = await createGitRepo({
      'app/Dockerfile': [`ARG BASE=${absent}`, 'FROM local/busybox:latest AS tools', 'FROM --platform=linux/amd64 ${BASE}:${TAG:-1}', 'COPY --from=tools /bin/busybox /busybox', ''].join('\n'),
    })
    const build = createTestStage({ workspace: repo.dir, plugin })
    const error = await rejectionOf(runStage(plugin, 'docker/build', build, { context: 'app', tags: [`${absent}-out:1`] }))
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('PW_ERR_DOCKER_BUILD')
    expect(error.message).toBe(`stage "build" (docker/build): base image ${absent}:1 (app/Dockerfile, line 3) is not on the Docker engine`)
    expect(error.details).toContain('`with.pull: true`')
    expect(error.details).toContain('docker load')
    // Nothing was built: the check runs before the engine sees the context.
    expect(build.captured.lines.some((l) => (l.message ?? l.line).startsWith('Step 1/'))).toBe(false)
  })
})

describe('docker/build: a failing Dockerfile step on a real engine', needsDocker(env), () => {
  const name = uniqueName('broken')

  afterAll(async () => {
    // The builder keeps the steps before the failing one as cache images; find them by the step's unique command.
    const docker = await createDockerClient({ host: env!.dockerHost }).engine()
    const dangling = await docker.listImages({ filters: { dangling: ['true'] } })
    const ours = []
    for (const image of dangling) {
      const info = await docker.getImage(image.Id).inspect().catch(() => undefined)
      if (info?.ContainerConfig?.Cmd?.join(' ').includes(`preparing ${name}`)) ours.push(image.Id)
    }
    await removeImages(env!, [`${name}:1`, ...ours])
  })

  it('fails with the failing step and its output in the message', async () => {
    const plugin = await loadTestPlugin(dockerPlugin)
    const repo = await createGitRepo({
      Dockerfile: ['FROM local/busybox:latest', `RUN echo preparing ${name}`, 'RUN echo "boom: config missing" && echo "on stderr" >&2 && exit 3', 'RUN echo never', ''].join('\n'),
    })
    const build = createTestStage({ workspace: repo.dir, env: { DOCKER_HOST: env!.dockerHost }, plugin })
    const error = await rejectionOf(runStage(plugin, 'docker/build', build, { tags: [`${name}:1`] }))
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('PW_ERR_DOCKER_BUILD')
    // Steps are numbered n/7: the classic builder adds one step per label.
    expect(error.message).toMatch(/^stage "build" \(docker\/build\): build failed at "Step 3\/\d+ : RUN echo "boom: config missing"/)
    expect(error.message).toContain('returned a non-zero code: 3')
    expect(error.message).toContain('boom: config missing')
    expect(error.message).toContain('\non stderr\n')
    expect(error.message).not.toContain('preparing')
    expect(build.captured.outputs).not.toHaveProperty('image-id')
  })
})

describe('docker/build: a context that changes while it is sent', needsDocker(env), () => {
  it('fails and builds nothing, instead of building from the part the engine received', async () => {
    const plugin = await loadTestPlugin(dockerPlugin, { host: env!.dockerHost })
    const name = uniqueName('changing-context')
    const repo = await createGitRepo({ Dockerfile: ['FROM local/busybox:latest', 'COPY . /ctx', ''].join('\n') })
    // A large sparse file: slow enough to send that it is still being read when another writer
    // (here the test, in a real pipeline a concurrent stage) truncates it.
    const big = join(repo.dir, 'big.bin')
    await writeFile(big, '')
    await truncate(big, 512 * 1024 * 1024)
    const build = createTestStage({ workspace: repo.dir, env: { DOCKER_HOST: env!.dockerHost }, plugin })
    const running = rejectionOf(runStage(plugin, 'docker/build', build, { tags: [`${name}:1`] }))
    // The plugin runs in this process: truncate the file once the context packer has it open.
    const isOpen = () => readdirSync('/proc/self/fd').some((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === big
      } catch {
        return false
      }
    })
    for (let i = 0; i < 3000 && !isOpen(); i++) await new Promise((r) => setTimeout(r, 5))
    expect(isOpen()).toBe(true)
    await truncate(big, 10)
    const error = await running
    expect(error.code).toBe('PW_ERR_DOCKER_BUILD')
    expect(error.message).toBe(`stage "build" (docker/build): the build context . changed while it was being sent (Size mismatch); nothing was built from it`)
    expect(build.captured.outputs).not.toHaveProperty('image-id')
    const docker = createDockerClient({ host: env!.dockerHost })
    await expect((await docker.engine()).getImage(`${name}:1`).inspect()).rejects.toMatchObject({ statusCode: 404 })
  }, 120_000)
})
