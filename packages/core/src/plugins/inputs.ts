import { realpathSync } from 'node:fs'
import { sep } from 'node:path'
import { isPlugin } from '@pipewright/plugin-api'
import type { ResolvedPluginPackage } from './lockfile.js'
import { resolvePluginSpec, type ResolvedPlugin } from './resolve.js'
import type { PluginRef } from '../spec/schema.js'
import type { PluginInput } from '../types.js'

/** Turns what the engine was given (a plugin object, a package name or path, with config) into a loaded plugin. */
export async function resolvePluginInput(input: PluginInput | PluginRef, baseDir: string): Promise<ResolvedPlugin> {
  if (isPlugin(input)) return { plugin: input, spec: 'inline' }
  if (typeof input === 'string') return resolvePluginSpec(input, baseDir)
  const config = input.config
  if (isPlugin(input.package)) return { plugin: input.package, spec: 'inline', ...(config ? { config } : {}) }
  return { ...(await resolvePluginSpec(input.package, baseDir)), ...(config ? { config } : {}) }
}

/**
 * Installed plugin packages are pinned; a package linked from a workspace (its real path is not
 * under node_modules) is the project's own code and changes with every edit, so it is not.
 */
export function pinnablePackage(r: ResolvedPlugin): ResolvedPluginPackage | undefined {
  if (!r.dir || !r.name || !r.version) return undefined
  let real: string
  try {
    real = realpathSync(r.dir)
  } catch {
    return undefined
  }
  return real.split(sep).includes('node_modules') ? { spec: r.spec, name: r.name, version: r.version, dir: r.dir } : undefined
}
