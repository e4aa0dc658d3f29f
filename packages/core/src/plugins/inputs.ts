import { existsSync, realpathSync } from 'node:fs'
import { resolve, sep } from 'node:path'
import { PipewrightError, isPlugin } from '@pipewright/plugin-api'
import type { ResolvedPluginPackage } from './lockfile.js'
import { importPluginPackage, isPluginPath, locatePluginPackage, resolvePluginSpec, type LocatedPackage, type ResolvedPlugin } from './resolve.js'
import type { PluginRef } from '../pipeline/schema.js'
import type { PluginInput } from '../engine/types.js'

/** Turns what the engine was given (a plugin object, a package name or path, with config) into a loaded plugin. */
export async function resolvePluginInput(input: PluginInput, baseDir: string): Promise<ResolvedPlugin> {
  if (isPlugin(input)) return { plugin: input, spec: 'inline' }
  if (typeof input === 'string') return resolvePluginSpec(input, baseDir)
  if ('lazy' in input) return { plugin: await input.lazy.load(), spec: 'inline', name: input.lazy.name, ...(input.lazy.dir ? { dir: input.lazy.dir } : {}) }
  const config = input.config
  if (isPlugin(input.package)) return { plugin: input.package, spec: 'inline', ...(input.name ? { name: input.name } : {}), ...(input.dir ? { dir: input.dir } : {}), ...(config ? { config } : {}) }
  return { ...(await resolvePluginSpec(input.package, baseDir)), ...(config ? { config } : {}) }
}

/** A plugin a pipeline declares, found on disk but not imported yet. */
export interface DeclaredPlugin {
  spec: string
  config?: Record<string, unknown>
  /** The installed package, for package names (paths have none). */
  located?: LocatedPackage
}

export function refSpec(ref: PluginRef): string {
  return typeof ref === 'string' ? ref : ref.package
}

/** Finds a declared plugin without importing it: a package in node_modules, or an existing file. */
export function locateDeclared(ref: PluginRef, baseDir: string): DeclaredPlugin {
  const spec = refSpec(ref)
  const config = typeof ref === 'string' ? undefined : ref.config
  if (isPluginPath(spec)) {
    if (!existsSync(resolve(baseDir, spec))) {
      throw new PipewrightError('PW_ERR_PLUGIN_NOT_FOUND', `Plugin file ${spec} does not exist (looked at ${resolve(baseDir, spec)})`, {
        details: 'Fix the path in `plugins:`; paths are relative to the pipeline file.',
      })
    }
    return { spec, ...(config ? { config } : {}) }
  }
  return { spec, located: locatePluginPackage(spec, baseDir), ...(config ? { config } : {}) }
}

export async function importDeclared(declared: DeclaredPlugin, baseDir: string): Promise<ResolvedPlugin> {
  const resolved = declared.located ? await importPluginPackage(declared.located) : await resolvePluginSpec(declared.spec, baseDir)
  return { ...resolved, ...(declared.config ? { config: declared.config } : {}) }
}

/**
 * Installed plugin packages are pinned; a package linked from a workspace (its real path is not
 * under node_modules) is the project's own code and changes with every edit, so it is not; nor is
 * a local file, which is versioned with the pipeline itself.
 */
export function pinnablePackage(p: { spec: string; dir?: string; name?: string; version?: string }): ResolvedPluginPackage | undefined {
  if (!p.dir || !p.name || !p.version) return undefined
  let real: string
  try {
    real = realpathSync(p.dir)
  } catch {
    return undefined
  }
  return real.split(sep).includes('node_modules') ? { spec: p.spec, name: p.name, version: p.version, dir: p.dir } : undefined
}
