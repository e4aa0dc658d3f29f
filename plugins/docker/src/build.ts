import { stripVTControlCharacters } from 'node:util'
import { PipewrightError, type StageContext } from '@pipewright/plugin-api'
import type Docker from 'dockerode'
import { ensureBaseImages, findBaseImages } from './base-images.js'
import { packBuildContext, resolveBuildContext } from './build-context.js'
import { refuseSecretBuildArgs } from './build-secrets.js'
import { createLineSplitter, readProgress } from './progress.js'
import { createProvenance, repositoryOf } from './provenance.js'
import type { BuildConfig, DockerPluginConfig } from './schemas.js'
import { sourceLocation } from './source.js'
import { dockerFor, stageLabel, wasCancelled } from './stage-helpers.js'

/** What `docker/build` records (kind `docker.build`) for `docker/push` and later plugins. */
export interface BuildRecord {
  imageId: string
  tags: string[]
  provenance: string
}

// The engine takes `t` once per tag; dockerode's types allow only one.
type ClassicBuildQuery = Omit<Docker.ImageBuildOptions, 't'> & { t: string[] }

// Enough of a failing step's output to see why, without flooding the error message.
const MAX_STEP_LINES = 40

function provenanceName(tag: string, stageId: string): string {
  const repo = repositoryOf(tag)
  const name = repo.slice(repo.lastIndexOf('/') + 1) || stageId
  return name.replace(/[^a-zA-Z0-9._-]/g, '_')
}

/** `docker/build`: builds an image with the classic builder, labels it and writes its provenance. */
export async function buildImage(ctx: StageContext<DockerPluginConfig>, config: BuildConfig): Promise<void> {
  const where = stageLabel(ctx.stageId, 'build')
  refuseSecretBuildArgs(config['build-args'], ctx.secrets, where)
  const context = await resolveBuildContext(ctx.workspace, config.context, config.dockerfile, where)
  const client = dockerFor(ctx)
  const docker = await client.engine()
  if (!config.pull) {
    const dockerfileShown = `${config.context.replace(/\/$/, '')}/${context.dockerfileInContext}`.replace(/^\.\//, '')
    await ensureBaseImages(docker, findBaseImages(context.dockerfileText, config['build-args'], config.target), dockerfileShown, where)
  }
  const apiVersion = await client.apiVersion()
  const startedOn = new Date()
  const source = await sourceLocation(ctx)

  // Pipewright's labels come last so a user label cannot forge the provenance ones.
  const labels: Record<string, string> = {
    ...config.labels,
    ...(ctx.git?.sha ? { 'org.opencontainers.image.revision': ctx.git.sha } : {}),
    'org.opencontainers.image.created': startedOn.toISOString(),
    'org.opencontainers.image.source': source,
    'io.pipewright.run-id': ctx.runId,
  }

  let imageId: string | undefined
  let step = ''
  let stepOutput: string[] = []
  // The builder colours RUN steps' stderr; logs and error messages want plain text.
  const log = createLineSplitter((raw) => {
    const line = stripVTControlCharacters(raw)
    ctx.logger.info(line)
    if (/^Step \d+\/\d+ :/.test(line)) {
      step = line
      stepOutput = []
    } else {
      stepOutput.push(line)
      if (stepOutput.length > MAX_STEP_LINES) stepOutput.shift()
    }
  })

  // The context is streamed as it is read: a file changed meanwhile (another stage writing into
  // the context) makes the tar stream fail. The request is aborted then, so that the engine never
  // builds from the part it received.
  const upload = new AbortController()
  const cancel = () => upload.abort()
  ctx.signal.addEventListener('abort', cancel, { once: true })
  let contextError: Error | undefined
  const tarStream = await packBuildContext(context)
  tarStream.on('error', (error: Error) => {
    contextError ??= error
    upload.abort()
  })
  const changedContext = () =>
    new PipewrightError('PW_ERR_DOCKER_BUILD', `${where}: the build context ${config.context} changed while it was being sent (${contextError!.message}); nothing was built from it`, {
      details: 'Another stage wrote into the build context during the build: make this stage need that stage, or leave its files out of the context with a .dockerignore.',
    })

  let result: { error?: string }
  try {
    const stream = await docker.buildImage(tarStream, {
      t: config.tags,
      dockerfile: context.dockerfileInContext,
      buildargs: config['build-args'],
      labels,
      ...(config.target ? { target: config.target } : {}),
      pull: config.pull,
      nocache: config['no-cache'],
      networkmode: config.network,
      rm: true,
      forcerm: true,
      // The classic builder: BuildKit needs a session and buildx, which plain engines lack.
      version: '1',
      abortSignal: upload.signal,
    } satisfies ClassicBuildQuery as unknown as Docker.ImageBuildOptions)
    result = await readProgress(stream, (message) => {
      if (message.stream) log.push(message.stream)
      const id = message.aux?.ID
      if (typeof id === 'string') imageId = id
    })
    log.flush()
  } catch (error) {
    if (contextError) throw changedContext()
    if (wasCancelled(ctx.signal, error)) throw new PipewrightError('PW_ERR_CANCELLED', `${where}: build cancelled`, { cause: error })
    throw new PipewrightError('PW_ERR_DOCKER_BUILD', `${where}: the engine rejected the build: ${(error as Error).message}`, { cause: error })
  } finally {
    ctx.signal.removeEventListener('abort', cancel)
  }
  // The stream failed after the engine had answered: what it built may lack files.
  if (contextError) throw changedContext()

  if (result.error !== undefined) {
    const output = ctx.redact(stepOutput.join('\n'))
    throw new PipewrightError('PW_ERR_DOCKER_BUILD', `${where}: build failed${step ? ` at "${step}"` : ''}: ${ctx.redact(result.error)}${output ? `\n${output}` : ''}`, {
      details: `Fix ${context.dockerfileInContext} in ${config.context} (the failing step's output is above); run \`pipewright logs <run> ${ctx.stageId}\` for the whole build log.`,
    })
  }

  const firstTag = config.tags[0]!
  imageId ??= (await docker.getImage(firstTag).inspect()).Id
  const engineVersion = await docker.version().then((v) => v.Version, () => undefined)

  const statement = createProvenance({
    imageId,
    tags: config.tags,
    context: config.context,
    dockerfile: context.dockerfileInContext,
    dockerfileDigest: context.dockerfileDigest,
    // refuseSecretBuildArgs has ruled out secrets here.
    buildArgs: config['build-args'],
    target: config.target,
    networkMode: config.network,
    pull: config.pull,
    noCache: config['no-cache'],
    apiVersion,
    engineVersion,
    source,
    sha: ctx.git?.sha,
    ref: ctx.git?.tag ? `refs/tags/${ctx.git.tag}` : ctx.git?.branch ? `refs/heads/${ctx.git.branch}` : undefined,
    runId: ctx.runId,
    stageId: ctx.stageId,
    startedOn,
    finishedOn: new Date(),
  })
  const artifact = await ctx.artifacts.write(`provenance/${provenanceName(firstTag, ctx.stageId)}.intoto.json`, `${JSON.stringify(statement, null, 2)}\n`)
  await ctx.records.save('docker.provenance', statement)
  const record: BuildRecord = { imageId, tags: config.tags, provenance: artifact.path }
  await ctx.records.save('docker.build', record)

  ctx.outputs.set('image-id', imageId)
  ctx.outputs.set('tags', config.tags.join(','))
  ctx.outputs.set('provenance', artifact.path)
  ctx.summary(`Built ${config.tags.join(', ')} (${imageId.slice(0, 19)})`)
}
