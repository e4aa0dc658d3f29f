import { PipewrightError, createToken } from '@pipewright/plugin-api'
import Docker from 'dockerode'

/** The newest Engine API this plugin was written against; newer engines are spoken to at this version. */
export const MAX_API_VERSION = '1.45'
/** The oldest Engine API the plugin needs (classic builder with `aux` image ids, `NanoCpus`). */
export const MIN_API_VERSION = '1.30'

/** How to reach a Docker engine. Nothing set: `DOCKER_HOST`, then dockerode's platform default. */
export interface DockerClientOptions {
  /** `unix:///path/docker.sock`, `tcp://host:2375`, `http(s)://host:port` or `ssh://user@host`. */
  host?: string
  /** Pin the Engine API version (e.g. `1.41`) instead of negotiating it. */
  apiVersion?: string
}

/** A connection to one Docker engine, shared by the plugin's stages and by other plugins. */
export interface DockerClient {
  /** The host this client talks to (`undefined`: dockerode's platform default socket). */
  readonly host: string | undefined
  /** A dockerode instance whose requests use the negotiated API version. */
  engine(): Promise<Docker>
  /** The API version in use, negotiated with the engine on first use. */
  apiVersion(): Promise<string>
  /** A client for another host (cached), e.g. a stage's own `DOCKER_HOST`. */
  forHost(host: string | undefined): DockerClient
}

/** DI token of the shared Docker client; a deploy plugin resolves it after `dependsOn: ['docker']`. */
export const DOCKER_CLIENT = createToken<DockerClient>('docker.client')

/** Turns a DOCKER_HOST-style address into dockerode connection options. */
export function parseDockerHost(host: string): Docker.DockerOptions {
  // Explicit `host: undefined` stops docker-modem from re-reading process.env.DOCKER_HOST.
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length), host: undefined }
  if (host.startsWith('/')) return { socketPath: host, host: undefined }
  let url: URL
  try {
    url = new URL(host.includes('://') ? host : `tcp://${host}`)
  } catch (cause) {
    throw new PipewrightError('PW_ERR_DOCKER_ENGINE', `Invalid Docker host "${host}"`, {
      details: 'Use unix:///path/to/docker.sock, tcp://host:2375, https://host:2376 or ssh://user@host.',
      cause,
    })
  }
  const protocol = url.protocol === 'ssh:' ? 'ssh' : url.protocol === 'https:' || url.port === '2376' ? 'https' : 'http'
  return {
    host: url.hostname,
    port: url.port || (protocol === 'https' ? '2376' : protocol === 'ssh' ? '22' : '2375'),
    protocol,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
  }
}

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number)
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number)
  return aMajor - bMajor || aMinor - bMinor
}

function unreachable(host: string | undefined, cause: unknown): PipewrightError {
  const where = host ?? 'the default Docker socket'
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new PipewrightError('PW_ERR_DOCKER_ENGINE', `Docker engine at ${where} is not reachable: ${reason}`, {
    details: 'Start a Docker engine (in this repo: `bash tools/docker/up.sh`) and set DOCKER_HOST, or set the docker plugin option `host`.',
    cause,
  })
}

/**
 * Creates a client for one engine. The API version is negotiated lazily (first `engine()`):
 * the lower of the engine's version and {@link MAX_API_VERSION}, unless `apiVersion` pins it.
 */
export function createDockerClient(options: DockerClientOptions = {}): DockerClient {
  const host = options.host ?? process.env.DOCKER_HOST
  const others = new Map<string, DockerClient>()
  let ready: Promise<{ docker: Docker; version: string }> | undefined

  async function negotiate(): Promise<{ docker: Docker; version: string }> {
    const connection = host ? parseDockerHost(host) : {}
    if (options.apiVersion) {
      const version = options.apiVersion.replace(/^v/, '')
      return { docker: new Docker({ ...connection, version: `v${version}` }), version }
    }
    // Unversioned /version answers on every engine, and tells what it speaks.
    const probe = new Docker(connection)
    let engineVersion: string
    try {
      engineVersion = (await probe.version()).ApiVersion
    } catch (cause) {
      throw unreachable(host, cause)
    }
    if (compareVersions(engineVersion, MIN_API_VERSION) < 0) {
      throw new PipewrightError('PW_ERR_DOCKER_ENGINE', `Docker engine at ${host ?? 'the default socket'} speaks API ${engineVersion}; the docker plugin needs ${MIN_API_VERSION} or newer`, {
        details: 'Upgrade the Docker engine (Docker 17.06 or newer).',
      })
    }
    const version = compareVersions(engineVersion, MAX_API_VERSION) > 0 ? MAX_API_VERSION : engineVersion
    return { docker: new Docker({ ...connection, version: `v${version}` }), version }
  }

  function connect(): Promise<{ docker: Docker; version: string }> {
    // A failed negotiation is retried on next use: the engine may start later.
    ready ??= negotiate().catch((error: unknown) => {
      ready = undefined
      throw error
    })
    return ready
  }

  const client: DockerClient = {
    host,
    async engine() {
      return (await connect()).docker
    },
    async apiVersion() {
      return (await connect()).version
    },
    forHost(other) {
      if (other === undefined || other === host) return client
      let found = others.get(other)
      if (!found) {
        found = createDockerClient({ ...options, host: other })
        others.set(other, found)
      }
      return found
    },
  }
  return client
}
