import { Writable } from 'node:stream'
import { PipewrightError, type StageContext } from '@pipewright/plugin-api'
import type Docker from 'dockerode'
import { createLineSplitter } from './progress.js'
import type { DockerPluginConfig, RunConfig } from './schemas.js'
import { dockerFor, stageLabel } from './stage-helpers.js'

// The tail of the output that goes into a failure message.
const TAIL_LINES = 20

function lineSink(onLine: (line: string) => void): { sink: Writable; flush(): void } {
  const splitter = createLineSplitter(onLine)
  const decoder = new TextDecoder()
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      splitter.push(decoder.decode(chunk, { stream: true }))
      done()
    },
  })
  return { sink, flush: () => splitter.flush() }
}

async function ensureImage(docker: Docker, image: string, where: string): Promise<void> {
  try {
    await docker.getImage(image).inspect()
  } catch (cause) {
    if ((cause as { statusCode?: number }).statusCode !== 404) throw cause
    throw new PipewrightError('PW_ERR_DOCKER_IMAGE', `${where}: image ${image} is not on the Docker engine`, {
      details: 'Build it in an earlier docker/build stage or load it into the engine; docker/run never pulls images.',
      cause,
    })
  }
}

function createOptions(ctx: StageContext<DockerPluginConfig>, config: RunConfig): Docker.ContainerCreateOptions {
  const mountPoint = config['mount-workspace'] === true ? '/workspace' : config['mount-workspace'] || undefined
  // A string is a shell line; an argv goes to the image's entrypoint as `docker run` would pass it.
  const command = typeof config.command === 'string' ? { Entrypoint: ['/bin/sh', '-c'], Cmd: [config.command] } : config.command ? { Cmd: config.command } : {}
  return {
    Image: config.image,
    ...command,
    Env: Object.entries(config.env).map(([key, value]) => `${key}=${value}`),
    WorkingDir: config.workdir ?? mountPoint,
    User: config.user,
    Labels: { 'io.pipewright.run-id': ctx.runId, 'io.pipewright.stage-id': ctx.stageId },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: {
      NetworkMode: config.network,
      ...(config.memory !== undefined ? { Memory: config.memory } : {}),
      ...(config.cpus !== undefined ? { NanoCpus: Math.round(config.cpus * 1e9) } : {}),
      ...(mountPoint ? { Mounts: [{ Type: 'bind' as const, Source: ctx.workspace, Target: mountPoint }] } : {}),
    },
  }
}

/** `docker/run`: runs a command in a container, streams its output, and always removes it. */
export async function runContainer(ctx: StageContext<DockerPluginConfig>, config: RunConfig): Promise<void> {
  const where = stageLabel(ctx.stageId, 'run')
  const docker = await dockerFor(ctx).engine()
  await ensureImage(docker, config.image, where)

  const tail: string[] = []
  const keep = (line: string): void => {
    tail.push(line)
    if (tail.length > TAIL_LINES) tail.shift()
  }
  const stdout = lineSink((line) => {
    ctx.logger.info(line)
    keep(line)
  })
  const stderr = lineSink((line) => {
    ctx.logger.info(line, { stream: 'stderr' })
    keep(line)
  })

  if (ctx.signal.aborted) throw new PipewrightError('PW_ERR_CANCELLED', `${where}: cancelled before the container started`)
  const container = await docker.createContainer(createOptions(ctx, config))
  const kill = (): void => {
    container.kill().catch(() => undefined)
  }
  ctx.signal.addEventListener('abort', kill, { once: true })
  try {
    // Attach before start, or the first lines of a short-lived container are lost.
    const stream = await container.attach({ stream: true, stdout: true, stderr: true })
    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve)
      stream.once('close', resolve)
      stream.once('error', () => resolve())
    })
    container.modem.demuxStream(stream, stdout.sink, stderr.sink)
    if (ctx.signal.aborted) throw new PipewrightError('PW_ERR_CANCELLED', `${where}: cancelled before the container started`)
    await container.start()
    ctx.logger.debug(`Started container ${container.id.slice(0, 12)} from ${config.image}`)
    const { StatusCode: exitCode } = (await container.wait()) as { StatusCode: number }
    await ended
    stdout.flush()
    stderr.flush()

    if (ctx.signal.aborted) throw new PipewrightError('PW_ERR_CANCELLED', `${where}: cancelled; container ${container.id.slice(0, 12)} was killed`)
    ctx.outputs.set('exit-code', exitCode)
    if (exitCode !== 0) {
      const state = await container.inspect().then((info) => info.State, () => undefined)
      const oom = state?.OOMKilled ? ` (killed: out of memory, limit ${config.memory} bytes)` : ''
      const output = ctx.redact(tail.join('\n'))
      throw new PipewrightError('PW_ERR_STAGE_FAILED', `${where}: container from ${config.image} exited with code ${exitCode}${oom}${output ? `\n${output}` : ''}`, {
        details: oom ? 'Raise `with.memory` or make the command use less memory.' : `See the stage log with \`pipewright logs <run> ${ctx.stageId}\`.`,
      })
    }
    ctx.summary(`Container from ${config.image} exited with code 0`)
  } finally {
    ctx.signal.removeEventListener('abort', kill)
    await container.remove({ force: true }).catch(() => undefined)
  }
}
