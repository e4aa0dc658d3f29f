import { createHash } from 'node:crypto'
import type { StageSpec } from '../pipeline/schema.js'
import { hashInputs } from './cache-inputs.js'

export interface CacheKeyInput {
  /** What the stage does, with every expression resolved (see stageCacheKey). */
  action: unknown
  /** The stage's resolved environment (pipeline + stage + matrix), plus declared `cache.env` values. */
  env: Record<string, string>
  workspace: string
  inputs: string[]
  /** Outputs of the stages it needs, by instance id. */
  needsOutputs: Record<string, Record<string, string>>
  extra?: string
}

/**
 * The cache key: a hash of everything that can change what a stage does. Undefined when `signal`
 * aborts while input files are read: the stage is being cancelled and needs no key.
 */
export async function computeCacheKey(input: CacheKeyInput, signal?: AbortSignal): Promise<string | undefined> {
  const hash = createHash('sha256')
  hash.update(JSON.stringify({ action: input.action, env: sortObject(input.env), needs: sortObject(input.needsOutputs), extra: input.extra ?? '' }))
  if (input.inputs.length > 0 && !(await hashInputs(hash, input.workspace, input.inputs, signal))) return undefined
  return `sha256:${hash.digest('hex')}`
}

function sortObject<T>(obj: Record<string, T>): Array<[string, T]> {
  return Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * The cache key of a stage instance about to run: what it will do (its id, matrix values, and its
 * command, or `uses` + `with` with every expression resolved plus the plugin's version and
 * package integrity), its resolved environment plus the values of the variables named in
 * `cache.env`, its input files, the outputs of other stages its expressions read (only those),
 * and the artifacts of its needs (it can read them under $PIPEWRIGHT_ARTIFACTS_DIR).
 */
export function stageCacheKey(
  cache: NonNullable<StageSpec['cache']>,
  input: {
    action: unknown
    stageEnv: Record<string, string>
    processEnv: Record<string, string>
    workspace: string
    needsOutputs: CacheKeyInput['needsOutputs']
    needsArtifacts?: Record<string, string[]>
    extra?: string
  },
  signal?: AbortSignal,
): Promise<string | undefined> {
  const env = { ...input.stageEnv }
  for (const name of cache.env) env[name] = input.processEnv[name] ?? ''
  return computeCacheKey({
    action: input.needsArtifacts && Object.keys(input.needsArtifacts).length > 0 ? { ...(input.action as object), needsArtifacts: sortObject(input.needsArtifacts) } : input.action,
    env,
    workspace: input.workspace,
    inputs: cache.inputs,
    needsOutputs: input.needsOutputs,
    ...(input.extra !== undefined ? { extra: input.extra } : {}),
  }, signal)
}
