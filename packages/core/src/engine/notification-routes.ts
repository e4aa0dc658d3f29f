import { createHash } from 'node:crypto'
import { PipewrightError } from '@pipewright/plugin-api'
import type { NotifyRoute, PipelineSpec } from '../pipeline/schema.js'

/** Environment variable giving the server's public URL (notifications link to `<url>/runs/<id>`). */
export const SERVER_URL_ENV = 'PIPEWRIGHT_SERVER_URL'

/** The route names of an event: run and stage outcomes get their own (`run:failed`, `stage:failed`). */
export function routeNames(name: string, payload: Record<string, unknown>): string[] {
  if (name === 'run:finished') return [name, `run:${String(payload.status)}`]
  if (name === 'stage:finished' && payload.status === 'failed') return [name, 'stage:failed']
  return [name]
}

/** A matrix instance `build[os=linux]` belongs to stage `build`. */
export function baseStageId(stageId: string): string {
  const bracket = stageId.indexOf('[')
  return bracket === -1 ? stageId : stageId.slice(0, bracket)
}

/**
 * The environments an event concerns: its own `environment`, the environment a deploy stage
 * deploys to, or — for run events — every environment the run's deploy stages deploy to.
 */
export function environmentsOf(name: string, payload: Record<string, unknown>, spec: PipelineSpec, planned: readonly string[]): string[] {
  if (typeof payload.environment === 'string') return [payload.environment]
  const deployEnv = (stageId: string) => spec.stages[baseStageId(stageId)]?.deploy?.environment
  if (typeof payload.stageId === 'string') {
    const env = deployEnv(payload.stageId)
    return env ? [env] : []
  }
  if (name.startsWith('run:')) return [...new Set(planned.map(deployEnv).filter((e): e is string => e !== undefined))]
  return []
}

/**
 * Whether a route takes an event: `on:` names it, `stages:` (when given) lists its stage — events
 * without a stage pass — and `environments:` (when given) lists one of the environments it concerns.
 */
export function routeTakes(route: NotifyRoute, names: readonly string[], payload: Record<string, unknown>, environments: () => string[]): string | undefined {
  const event = names.find((n) => route.on.includes(n))
  if (!event) return undefined
  if (route.stages && typeof payload.stageId === 'string' && !route.stages.includes(baseStageId(payload.stageId))) return undefined
  if (route.environments && !environments().some((e) => route.environments!.includes(e))) return undefined
  return event
}

/**
 * A delivery id that is the same for the same notification of the same run, route and occurrence
 * — also after a resume — so receivers deduplicate redeliveries. Formatted as a UUID (v8 layout).
 */
export function deliveryId(parts: ReadonlyArray<string | number>): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`
}

/**
 * The server URL notifications link to: the engine's `baseUrl` option, else PIPEWRIGHT_SERVER_URL,
 * else the pipeline's `server.url`. Throws PW_ERR_CONFIG_INVALID naming the source when it is not
 * an http(s) URL.
 */
export function serverUrl(option: string | undefined, env: Record<string, string | undefined>, spec: PipelineSpec): string | undefined {
  const candidates: Array<[string | undefined, string]> = [
    [option, 'the engine option baseUrl'],
    [env[SERVER_URL_ENV] || undefined, `the environment variable ${SERVER_URL_ENV}`],
    [spec.server?.url, 'server.url of the pipeline'],
  ]
  for (const [value, source] of candidates) {
    if (value === undefined) continue
    let url: URL | undefined
    try {
      url = new URL(value)
    } catch {
      url = undefined
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new PipewrightError('PW_ERR_CONFIG_INVALID', `The server URL from ${source} is not an http(s) URL`, {
        details: `Notifications link to <server url>/runs/<run id>: set ${source} to the dashboard's address, e.g. https://pipewright.example.com.`,
      })
    }
    return value
  }
  return undefined
}
