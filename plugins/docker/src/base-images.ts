import { DockerfileParser } from 'dockerfile-ast'
import { PipewrightError } from '@pipewright/plugin-api'
import type Docker from 'dockerode'

/** A base image a Dockerfile's `FROM` names, with where it does so. */
export interface BaseImage {
  /** The reference after ARG substitution, e.g. `local/busybox:latest`. */
  image: string
  /** 1-based line of the `FROM` instruction. */
  line: number
}

// `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`: what the
// builder's word expansion does for FROM, enough for image references.
const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g

function expand(word: string, vars: ReadonlyMap<string, string>): string {
  const substituted = word.replace(VARIABLE, (_match, braced: string | undefined, operator: string | undefined, operand: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!
    const value = vars.get(name)
    if (operator === undefined) return value ?? ''
    const set = operator.startsWith(':') ? value !== undefined && value !== '' : value !== undefined
    if (operator.endsWith('-')) return set ? value! : expand(operand ?? '', vars)
    return set ? expand(operand ?? '', vars) : ''
  })
  // Quotes only group words in FROM; the reference itself never holds them.
  return substituted.replace(/["']/g, '')
}

/**
 * The images a build needs from the engine: every `FROM` up to the `target` stage (the classic
 * builder stops there), after substituting the ARGs declared before the first `FROM` (defaults,
 * overridden by `buildArgs`). `scratch` and earlier stage names are not images, so they are left out.
 */
export function findBaseImages(dockerfile: string, buildArgs: Readonly<Record<string, string>>, target?: string): BaseImage[] {
  const parsed = DockerfileParser.parse(dockerfile)
  const vars = new Map<string, string>()
  for (const arg of parsed.getInitialARGs()) {
    const property = arg.getProperty()
    if (!property) continue
    const name = property.getName()
    const value = Object.hasOwn(buildArgs, name) ? buildArgs[name] : property.getValue() ?? undefined
    if (value !== undefined) vars.set(name, expand(value, vars))
  }

  const stages = new Set<string>()
  const images: BaseImage[] = []
  for (const from of parsed.getFROMs()) {
    const raw = from.getImage()
    const image = raw === null ? '' : expand(raw, vars)
    // Stage names are case-insensitive, as in the builder.
    if (image !== '' && image.toLowerCase() !== 'scratch' && !stages.has(image.toLowerCase())) {
      images.push({ image, line: from.getRange().start.line + 1 })
    }
    const stage = from.getBuildStage()?.toLowerCase()
    if (stage) stages.add(stage)
    if (target !== undefined && stage === target.toLowerCase()) break
  }
  return images
}

/**
 * Fails when a base image is not on the engine: the classic builder would otherwise pull it from
 * its registry (Docker Hub for short names) even with `pull: false`.
 */
export async function ensureBaseImages(docker: Docker, images: BaseImage[], dockerfile: string, where: string): Promise<void> {
  for (const { image, line } of images) {
    try {
      await docker.getImage(image).inspect()
    } catch (cause) {
      if ((cause as { statusCode?: number }).statusCode !== 404) throw cause
      throw new PipewrightError('PW_ERR_DOCKER_BUILD', `${where}: base image ${image} (${dockerfile}, line ${line}) is not on the Docker engine`, {
        details: 'With `pull: false` the build uses only images already on the engine. Load it (`docker load`) or build it locally (e.g. in an earlier docker/build stage), or set `with.pull: true` to let the engine pull it from its registry.',
        cause,
      })
    }
  }
}
