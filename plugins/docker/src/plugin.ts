import { definePlugin } from '@pipewright/plugin-api'
import { buildImage } from './build.js'
import { DOCKER_CLIENT, createDockerClient } from './client.js'
import { containerTarget } from './container-target.js'
import { DOCKER_ERRORS } from './errors.js'
import { checkImageSize } from './image-size.js'
import { pushImage } from './push.js'
import { runContainer } from './run-container.js'
import { BuildConfig, DockerPluginConfig, ImageSizeConfig, PushConfig, RunConfig } from './schemas.js'

/** The `docker` plugin: `docker/build`, `docker/push`, `docker/run`, gate `docker/image-size`, target `docker/container`, service DOCKER_CLIENT. */
export const dockerPlugin = definePlugin({
  id: 'docker',
  apiVersion: 1,
  version: '0.1.0',
  description: 'Build, push and run images on a Docker engine, with SLSA provenance and an image-size gate.',
  configSchema: DockerPluginConfig,
  errors: DOCKER_ERRORS,
  register(api) {
    const config = api.config ?? {}
    api.provide(DOCKER_CLIENT, { useFactory: () => createDockerClient({ host: config.host, apiVersion: config.apiVersion }) })
    api.stage('build', {
      description: 'Builds an image from a Dockerfile (classic builder, no network by default) and writes its provenance.',
      configSchema: BuildConfig,
      outputs: ['image-id', 'tags', 'provenance'],
      run: buildImage,
    })
    api.stage('push', {
      description: 'Pushes image tags to a registry, with credentials from secrets.',
      configSchema: PushConfig,
      outputs: ['digest', 'image', 'refs'],
      run: pushImage,
    })
    api.stage('run', {
      description: 'Runs a command in a container (no network by default) and removes it afterwards.',
      configSchema: RunConfig,
      outputs: ['exit-code'],
      run: runContainer,
    })
    api.gate('image-size', {
      description: 'Fails when the image is larger than `max`.',
      configSchema: ImageSizeConfig,
      evaluate: checkImageSize,
    })
    api.target('container', containerTarget)
  },
})
