import { definePlugin } from '@pipewright/plugin-api'
import { runPipeline } from '@pipewright/testing'
import { describe, expect, it } from 'vitest'
import { DOCKER_CLIENT, createDockerClient } from '../src/index.js'
import dockerPlugin from '../src/index.js'
import { dockerTestEnv, needsDocker } from './helpers/docker-env.js'
import { loadTestPlugin } from './helpers/host.js'

const env = await dockerTestEnv()

describe('DOCKER_CLIENT service', () => {
  it('is provided by register and resolves to a client for the configured host', async () => {
    const plugin = await loadTestPlugin(dockerPlugin, { host: 'unix:///tmp/pw-docker-configured.sock', apiVersion: '1.41' })
    // Every token the plugin registers resolves.
    for (const [token] of plugin.services) expect(plugin.resolver.resolve(token)).toBeDefined()
    const client = plugin.resolver.resolve(DOCKER_CLIENT)
    expect(client.host).toBe('unix:///tmp/pw-docker-configured.sock')
    expect(await client.apiVersion()).toBe('1.41')
    expect(plugin.resolver.resolve(DOCKER_CLIENT)).toBe(client)
  })

  it('rejects an invalid apiVersion in the plugin config', async () => {
    await expect(loadTestPlugin(dockerPlugin, { apiVersion: 'latest' })).rejects.toThrow(/Must look like 1.41/)
  })

  it('is resolvable by a stage of another plugin run by the engine', async () => {
    // A deploy-like plugin that only talks to Docker through the service.
    const deployProbe = definePlugin({
      id: 'deploy-probe',
      apiVersion: 1,
      dependsOn: ['docker'],
      register(api) {
        api.stage('where', {
          run(ctx) {
            const client = ctx.resolve(DOCKER_CLIENT)
            ctx.outputs.set('host', client.host ?? '')
            ctx.outputs.set('has-engine', typeof client.engine === 'function')
          },
        })
      },
    })
    const run = await runPipeline({
      pipeline: { name: 'docker-service', stages: { where: { uses: 'deploy-probe/where' } } },
      plugins: [{ package: dockerPlugin, config: { host: 'unix:///tmp/pw-docker-engine.sock' } }, deployProbe],
    })
    try {
      expect(run.stage('where')).toMatchObject({ status: 'succeeded', outputs: { host: 'unix:///tmp/pw-docker-engine.sock', 'has-engine': 'true' } })
    } finally {
      await run.cleanup()
    }
  })
})

describe('DOCKER_CLIENT against the real engine', needsDocker(env), () => {
  it('negotiates the API version the engine speaks', async () => {
    const client = createDockerClient({ host: env!.dockerHost })
    const docker = await client.engine()
    const { ApiVersion } = await docker.version()
    expect(await client.apiVersion()).toBe(ApiVersion)
    expect(docker.modem).toMatchObject({ version: `v${ApiVersion}` })
    expect(String(await docker.ping())).toBe('OK')
  })
})
