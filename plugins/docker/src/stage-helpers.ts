import type { BaseContext, SecretReader } from '@pipewright/plugin-api'
import { DOCKER_CLIENT, createDockerClient, type DockerClient } from './client.js'
import type { DockerPluginConfig } from './schemas.js'

type DockerContext = BaseContext<DockerPluginConfig | undefined> & { readonly env?: Readonly<Record<string, string>> }

/**
 * The client a stage uses: the shared one from DI, switched to the stage's own `DOCKER_HOST`
 * when its env names another engine. Plugin option `host` wins over both; without any of them
 * the shared client's host (the process's DOCKER_HOST, else dockerode's default socket).
 */
export function dockerFor(ctx: DockerContext): DockerClient {
  let shared: DockerClient
  try {
    shared = ctx.resolve(DOCKER_CLIENT)
  } catch {
    // A host that did not run `register` (a bare test context): connect directly.
    shared = createDockerClient({ host: ctx.pluginConfig?.host, apiVersion: ctx.pluginConfig?.apiVersion })
  }
  return shared.forHost(ctx.pluginConfig?.host ?? ctx.env?.DOCKER_HOST ?? shared.host)
}

/** Replaces every secret value in `text` by `***`: registry and engine messages may echo input. */
export function redactSecrets(text: string, secrets: SecretReader, extra: string[] = []): string {
  const values = [...secrets.names().map((name) => secrets.get(name)), ...extra]
    .filter((value): value is string => typeof value === 'string' && value.length >= 3)
    .sort((a, b) => b.length - a.length)
  let result = text
  for (const value of values) result = result.split(value).join('***')
  return result
}

/** Names the stage in messages: `stage "build" (docker/build)`. */
export function stageLabel(stageId: string, type: string): string {
  return `stage "${stageId}" (docker/${type})`
}

/** True when an error came from aborting a request because the run was cancelled. */
export function wasCancelled(signal: AbortSignal, error: unknown): boolean {
  return signal.aborted || (error instanceof Error && error.name === 'AbortError')
}
