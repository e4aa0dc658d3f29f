import { PipewrightError, type InstanceHandle, type TargetContext, type TargetDefinition } from '@pipewright/plugin-api'
import type Docker from 'dockerode'
import { DOCKER_CLIENT } from './client.js'
import type { DockerPluginConfig } from './schemas.js'
import { ContainerTargetConfig } from './schemas.js'

/** Labels that name what a container is, so a restarted agent (or a person) can find it. */
export const TARGET_LABELS = {
  managed: 'io.pipewright.deploy.managed-by',
  environment: 'io.pipewright.deploy.environment',
  version: 'io.pipewright.deploy.version',
  instance: 'io.pipewright.deploy.instance',
} as const

function engineFor(ctx: TargetContext<DockerPluginConfig | undefined>): Promise<Docker> {
  const shared = ctx.resolve(DOCKER_CLIENT)
  return shared.forHost(ctx.pluginConfig?.host ?? shared.host).engine()
}

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode

async function inspect(docker: Docker, id: string): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(id).inspect()
  } catch (error) {
    if (statusOf(error) === 404) return undefined
    throw error
  }
}

function exitReason(state: Docker.ContainerInspectInfo['State']): string {
  if (state.OOMKilled) return 'container was killed: out of memory'
  return `container ${state.Status} (exit code ${state.ExitCode}${state.Error ? `: ${state.Error}` : ''})`
}

/**
 * `docker/container`: each instance a container of the version's image on the host network,
 * listening on `$PORT` on 127.0.0.1. Images are never pulled: `prepare` pins the tag to the
 * image id on the engine, so re-tagging never changes a running version.
 */
export const containerTarget: TargetDefinition<ContainerTargetConfig, DockerPluginConfig | undefined> = {
  description: 'Runs each instance as a container of the version\'s image on the host network (never pulls).',
  configSchema: ContainerTargetConfig,
  async prepare(ctx, _config, release) {
    if (!release.image) {
      throw new PipewrightError('PW_ERR_DOCKER_IMAGE', `docker/container: version ${release.version} of ${release.environment} names no image`, {
        details: 'Deploy with `image: <reference>`; artifact directories are for deploy/process.',
      })
    }
    const docker = await engineFor(ctx)
    try {
      const info = await docker.getImage(release.image).inspect()
      return { image: info.Id }
    } catch (cause) {
      if (statusOf(cause) !== 404) throw cause
      throw new PipewrightError('PW_ERR_DOCKER_IMAGE', `docker/container: image ${release.image} (version ${release.version} of ${release.environment}) is not on the Docker engine`, {
        details: 'Build or load it first; the deployment agent never pulls images.',
        cause,
      })
    }
  },
  async start(ctx, config, spec) {
    const docker = await engineFor(ctx)
    const command = typeof config.command === 'string' ? { Entrypoint: ['/bin/sh', '-c'], Cmd: [config.command] } : config.command ? { Cmd: config.command } : {}
    const container = await docker.createContainer({
      name: `pw-${spec.id}-${Date.now().toString(36)}`,
      Image: spec.release.image,
      ...command,
      Env: Object.entries({ ...config.env, ...spec.env, PORT: String(spec.port) }).map(([k, v]) => `${k}=${v}`),
      User: config.user,
      Labels: {
        [TARGET_LABELS.managed]: 'pipewright-agent',
        [TARGET_LABELS.environment]: spec.environment,
        [TARGET_LABELS.version]: spec.version,
        [TARGET_LABELS.instance]: spec.id,
      },
      HostConfig: {
        NetworkMode: 'host',
        // The agent supervises (with back-off and a limit); the engine must not restart behind its back.
        RestartPolicy: { Name: 'no' },
        ...(config.memory !== undefined ? { Memory: config.memory } : {}),
        ...(config.cpus !== undefined ? { NanoCpus: Math.round(config.cpus * 1e9) } : {}),
      },
    })
    try {
      await container.start()
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined)
      throw error
    }
    return {
      id: spec.id,
      target: ctx.target,
      environment: spec.environment,
      version: spec.version,
      host: spec.host,
      port: spec.port,
      containerId: container.id,
      startedAt: Date.now(),
    }
  },
  async stop(ctx, _config, handle, { graceMs }) {
    if (!handle.containerId) return
    const docker = await engineFor(ctx)
    const container = docker.getContainer(handle.containerId)
    await container.stop({ t: Math.max(0, Math.ceil(graceMs / 1000)) }).catch((error: unknown) => {
      // 304: already stopped; 404: already gone.
      if (statusOf(error) !== 304 && statusOf(error) !== 404) throw error
    })
    await container.remove({ force: true }).catch((error: unknown) => {
      if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error
    })
  },
  async check(ctx, _config, handle) {
    if (!handle.containerId) return { alive: false, reason: 'no container id' }
    const info = await inspect(await engineFor(ctx), handle.containerId)
    if (!info) return { alive: false, reason: 'container is gone' }
    return info.State.Running ? { alive: true } : { alive: false, reason: exitReason(info.State), exitCode: info.State.ExitCode }
  },
  async adopt(ctx, _config, handle) {
    const docker = await engineFor(ctx)
    let id = handle.containerId
    if (!id || !(await inspect(docker, id))) {
      // The handle's container is gone; a container labelled with the instance may still run.
      const found = await docker.listContainers({ filters: { label: [`${TARGET_LABELS.instance}=${handle.id}`] } })
      id = found[0]?.Id
    }
    const info = id ? await inspect(docker, id) : undefined
    if (!info?.State.Running || info.Config.Labels?.[TARGET_LABELS.instance] !== handle.id) {
      if (info) await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined)
      return undefined
    }
    return { ...handle, containerId: info.Id } satisfies InstanceHandle
  },
}
