import { PipewrightError, type StageContext } from '@pipewright/plugin-api'
import type { BuildRecord } from './build.js'
import { readProgress } from './progress.js'
import { repositoryOf } from './provenance.js'
import type { DockerPluginConfig, PushConfig } from './schemas.js'
import { dockerFor, stageLabel, wasCancelled } from './stage-helpers.js'

/** What `docker/push` records (kind `docker.push`). */
export interface PushRecord {
  refs: Array<{ ref: string; digest: string }>
}

/** The registry host of a reference, or undefined for Docker Hub short names (`app:1`, `team/app`). */
export function registryOf(ref: string): string | undefined {
  const first = ref.split('/')[0] ?? ''
  const hasHost = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  return hasHost ? first : undefined
}

function tagOf(ref: string): string {
  const repo = repositoryOf(ref)
  return ref.length > repo.length ? ref.slice(repo.length + 1).split('@')[0]! : 'latest'
}

const AUTH_FAILURE = /unauthori[sz]ed|authentication required|no basic auth credentials|access.*denied|denied:|401/i

async function resolveTags(ctx: StageContext<DockerPluginConfig>, config: PushConfig, where: string): Promise<string[]> {
  if (config.tags?.length) return config.tags
  const built = await ctx.records.get<BuildRecord>('docker.build', { stageId: config.from })
  if (!built?.tags.length) {
    throw new PipewrightError('PW_ERR_DOCKER_IMAGE', `${where}: no \`with.tags\`, and stage "${config.from}" recorded no docker/build result`, {
      details: 'Set `with.tags: ${{ stages.<build>.outputs.tags }}`, or `with.from` to the id of the docker/build stage this push needs.',
    })
  }
  return built.tags
}

function readPassword(ctx: StageContext<DockerPluginConfig>, config: PushConfig, where: string): string | undefined {
  if (!config.credentials) return undefined
  const name = config.credentials['password-secret']
  const password = ctx.secrets.get(name)
  if (password === undefined) {
    throw new PipewrightError('PW_ERR_SECRET_MISSING', `${where}: secret "${name}" named in with.credentials.password-secret is not set`, {
      details: `Set PIPEWRIGHT_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')} or pass it with --secret-file.`,
    })
  }
  return password
}

/** `docker/push`: pushes tags to their registry and reports the manifest digest. */
export async function pushImage(ctx: StageContext<DockerPluginConfig>, config: PushConfig): Promise<void> {
  const where = stageLabel(ctx.stageId, 'push')
  const tags = await resolveTags(ctx, config, where)
  const password = readPassword(ctx, config, where)
  const docker = await dockerFor(ctx).engine()
  const refs: PushRecord['refs'] = []

  for (const tag of tags) {
    const ref = config.registry && registryOf(tag) === undefined ? `${config.registry}/${tag}` : tag
    const repo = repositoryOf(ref)
    const registry = registryOf(ref) ?? 'docker.io'
    // The engine insists on an X-Registry-Auth header; `{}` means anonymous.
    const authconfig = config.credentials && password !== undefined ? { username: config.credentials.username, password, serveraddress: registry } : {}
    const redact = ctx.redact

    let digest: string | undefined
    let result: { error?: string }
    try {
      if (ref !== tag) await docker.getImage(tag).tag({ repo, tag: tagOf(ref) })
      ctx.logger.info(`Pushing ${ref}`)
      const stream = await docker.getImage(repo).push({ tag: tagOf(ref), authconfig, abortSignal: ctx.signal } as object)
      const seen = new Set<string>()
      result = await readProgress(stream, (message) => {
        const found = message.aux?.Digest
        if (typeof found === 'string') digest = found
        // Per-layer byte counts would flood the log; each state change is enough.
        if (message.status && !message.progress) {
          const line = message.id ? `${message.id}: ${message.status}` : message.status
          if (!seen.has(line)) ctx.logger.info(redact(line))
          seen.add(line)
        }
      })
    } catch (error) {
      if (wasCancelled(ctx.signal, error)) throw new PipewrightError('PW_ERR_CANCELLED', `${where}: push of ${ref} cancelled`, { cause: error })
      throw new PipewrightError('PW_ERR_DOCKER_PUSH', `${where}: push of ${ref} failed: ${redact((error as Error).message)}`, {
        details: `Check that image ${tag} exists (build it first) and that the engine can reach ${registry}.`,
      })
    }

    if (result.error !== undefined) {
      const reason = redact(result.error)
      if (AUTH_FAILURE.test(reason)) {
        const who = config.credentials ? `user "${config.credentials.username}" with the password from secret "${config.credentials['password-secret']}"` : 'no credentials'
        throw new PipewrightError('PW_ERR_DOCKER_AUTH', `${where}: registry ${registry} refused the push of ${ref}: authentication failed for ${who} (${reason})`, {
          details: config.credentials
            ? `Check the username and the value of secret "${config.credentials['password-secret']}" for ${registry}.`
            : `Set with.credentials: { username, password-secret } for ${registry}.`,
        })
      }
      throw new PipewrightError('PW_ERR_DOCKER_PUSH', `${where}: push of ${ref} to ${registry} failed: ${reason}`, {
        details: `Check that ${registry} is reachable from the Docker engine and accepts pushes to ${repo}.`,
      })
    }
    if (!digest) {
      throw new PipewrightError('PW_ERR_DOCKER_PUSH', `${where}: push of ${ref} finished without reporting a digest`, {
        details: 'The engine or registry is older than this plugin supports; check the engine log.',
      })
    }
    refs.push({ ref, digest })
  }

  const record: PushRecord = { refs }
  await ctx.records.save('docker.push', record)
  const first = refs[0]!
  ctx.outputs.set('digest', first.digest)
  ctx.outputs.set('image', `${repositoryOf(first.ref)}@${first.digest}`)
  ctx.outputs.set('refs', refs.map((r) => r.ref).join(','))
  ctx.summary(`Pushed ${refs.map((r) => r.ref).join(', ')} (${first.digest})`)
}
