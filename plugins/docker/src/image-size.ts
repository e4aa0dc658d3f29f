import { PipewrightError, type GateContext, type GateResult } from '@pipewright/plugin-api'
import type { DockerPluginConfig, ImageSizeConfig } from './schemas.js'
import { formatSize } from './size.js'
import { dockerFor } from './stage-helpers.js'

/** Evidence of the `docker/image-size` gate. */
export interface ImageSizeEvidence {
  image: string
  /** Bytes, as the engine reports the image (all layers). */
  size: number
  max: number
}

/** `docker/image-size`: fails the gated stage when its image is larger than `max`. */
export async function checkImageSize(ctx: GateContext<DockerPluginConfig>, config: ImageSizeConfig): Promise<GateResult> {
  const where = `gate docker/image-size on stage "${ctx.stage.id}"`
  const image = config.image ?? ctx.stage.outputs['image-id']
  if (!image) {
    throw new PipewrightError('PW_ERR_DOCKER_IMAGE', `${where}: no image to check: the stage has no \`image-id\` output and \`with.image\` is not set`, {
      details: 'Attach the gate to a docker/build stage, or set `with.image` to an image reference.',
    })
  }
  const docker = await dockerFor(ctx).engine()
  let size: number
  try {
    size = (await docker.getImage(image).inspect()).Size
  } catch (cause) {
    throw new PipewrightError('PW_ERR_DOCKER_IMAGE', `${where}: cannot inspect image ${image}: ${(cause as Error).message}`, {
      details: 'Check that the image exists on the engine (build it first).',
      cause,
    })
  }
  const evidence: ImageSizeEvidence = { image, size, max: config.max }
  return size <= config.max
    ? { verdict: 'pass', reason: `Image ${image} is ${formatSize(size)}, within the limit of ${formatSize(config.max)}`, evidence }
    : { verdict: 'fail', reason: `Image ${image} is ${formatSize(size)}, over the limit of ${formatSize(config.max)}`, evidence }
}
