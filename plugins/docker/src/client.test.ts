import { describe, expect, it } from 'vitest'
import { createDockerClient, parseDockerHost } from './client.js'

describe('parseDockerHost', () => {
  it.each([
    ['unix:///tmp/x/docker.sock', { socketPath: '/tmp/x/docker.sock', host: undefined }],
    ['/var/run/docker.sock', { socketPath: '/var/run/docker.sock', host: undefined }],
    ['tcp://10.1.2.3:2375', { host: '10.1.2.3', port: '2375', protocol: 'http' }],
    ['tcp://docker.internal:2376', { host: 'docker.internal', port: '2376', protocol: 'https' }],
    ['https://docker.internal', { host: 'docker.internal', port: '2376', protocol: 'https' }],
    ['ssh://deploy@build-box', { host: 'build-box', port: '22', protocol: 'ssh', username: 'deploy' }],
    ['127.0.0.1:2375', { host: '127.0.0.1', port: '2375', protocol: 'http' }],
  ])('%s', (input, expected) => {
    expect(parseDockerHost(input)).toEqual(expected)
  })

  it('rejects an address that is not a URL, naming it', () => {
    expect(() => parseDockerHost('tcp://[bad')).toThrow(/Invalid Docker host "tcp:\/\/\[bad"/)
  })
})

describe('createDockerClient', () => {
  it('keeps one client per host', () => {
    const client = createDockerClient({ host: 'unix:///tmp/a.sock' })
    expect(client.forHost(undefined)).toBe(client)
    expect(client.forHost('unix:///tmp/a.sock')).toBe(client)
    const other = client.forHost('unix:///tmp/b.sock')
    expect(other.host).toBe('unix:///tmp/b.sock')
    expect(client.forHost('unix:///tmp/b.sock')).toBe(other)
  })

  it('uses a pinned API version without asking the engine', async () => {
    const client = createDockerClient({ host: 'unix:///nonexistent/docker.sock', apiVersion: 'v1.41' })
    expect(await client.apiVersion()).toBe('1.41')
    expect((await client.engine()).modem).toMatchObject({ version: 'v1.41' })
  })

  it('reports an unreachable engine with the way to start one, and retries later', async () => {
    const client = createDockerClient({ host: 'unix:///nonexistent/docker.sock' })
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(client.engine()).rejects.toMatchObject({
        code: 'PW_ERR_DOCKER_ENGINE',
        message: expect.stringMatching(/^Docker engine at unix:\/\/\/nonexistent\/docker.sock is not reachable: .*ENOENT/),
        details: expect.stringContaining('bash tools/docker/up.sh'),
      })
    }
  })
})
