import type { BaseContext } from '@pipewright/plugin-api'
import { DOCKER_CLIENT, type DockerClient } from './client.js'
import type { DockerPluginConfig } from './schemas.js'

type DockerContext = BaseContext<DockerPluginConfig | undefined> & { readonly env?: Readonly<Record<string, string>> }

/**
 * The client a stage uses: the plugin's DOCKER_CLIENT service, switched to the stage's own
 * `DOCKER_HOST` when its env names another engine. Plugin option `host` wins over both; without
 * any of them the service's host (the process's DOCKER_HOST, else dockerode's default socket).
 */
export function dockerFor(ctx: DockerContext): DockerClient {
  const shared = ctx.resolve(DOCKER_CLIENT)
  return shared.forHost(ctx.pluginConfig?.host ?? ctx.env?.DOCKER_HOST ?? shared.host)
}

/** Names the stage in messages: `stage "build" (docker/build)`. */
export function stageLabel(stageId: string, type: string): string {
  return `stage "${stageId}" (docker/${type})`
}

/** True when an error came from aborting a request because the run was cancelled. */
export function wasCancelled(signal: AbortSignal, error: unknown): boolean {
  return signal.aborted || (error instanceof Error && error.name === 'AbortError')
}
