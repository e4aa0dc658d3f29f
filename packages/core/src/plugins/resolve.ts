import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isPlugin, PipewrightError, type Plugin } from '@pipewright/plugin-api'

/** A plugin after import: the object and where it came from. */
export interface ResolvedPlugin {
  plugin: Plugin
  /** What the user wrote (`@scope/pkg`, `./local.ts`) or `inline`. */
  spec: string
  /** Package name and version, when it came from a package. */
  name?: string
  version?: string
  /** Package directory, for pinning. */
  dir?: string
  /** The plugin-api range the package declares (peerDependencies). */
  apiRange?: string
  config?: Record<string, unknown>
}

interface PackageJson {
  name?: string
  version?: string
  main?: string
  module?: string
  exports?: unknown
  peerDependencies?: Record<string, string>
  dependencies?: Record<string, string>
}

/** Finds `node_modules/<name>` walking up from `baseDir`, as Node does. */
export function findPackageDir(name: string, baseDir: string): string | undefined {
  let dir = resolve(baseDir)
  for (;;) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

function entryOf(pkg: PackageJson): string | undefined {
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>
      // Never the source condition here: a published or built package runs from dist.
      return pick(v['.']) ?? pick(v.import) ?? pick(v.node) ?? pick(v.default)
    }
    return undefined
  }
  return pick(pkg.exports) ?? pkg.module ?? pkg.main ?? 'index.js'
}

async function importFile(file: string): Promise<unknown> {
  if (/\.(c|m)?tsx?$/.test(file)) {
    const { createJiti } = await import('jiti')
    const jiti = createJiti(import.meta.url, { interopDefault: false })
    return jiti.import(file)
  }
  return import(pathToFileURL(file).href)
}

function pickPlugin(mod: unknown): Plugin | undefined {
  const m = mod as { default?: unknown; plugin?: unknown }
  if (isPlugin(m)) return m
  if (isPlugin(m?.default)) return m.default
  if (isPlugin((m?.default as { default?: unknown })?.default)) return (m.default as { default: Plugin }).default
  if (isPlugin(m?.plugin)) return m.plugin
  return undefined
}

/** An installed plugin package found on disk, not yet imported (so its pins can be checked first). */
export interface LocatedPackage {
  spec: string
  name: string
  version?: string
  dir: string
  /** The module to import. */
  file: string
  apiRange?: string
}

export function isPluginPath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec)
}

/** Finds a plugin package in node_modules from `baseDir` upwards and reads its manifest; imports nothing. */
export function locatePluginPackage(spec: string, baseDir: string): LocatedPackage {
  const dir = findPackageDir(spec, baseDir)
  if (!dir) {
    throw new PipewrightError('PW_ERR_PLUGIN_NOT_FOUND', `Plugin package ${spec} is not installed (searched node_modules from ${baseDir} upwards)`, {
      details: `Install it in the project: npm install ${spec}`,
    })
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson
  const apiRange = pkg.peerDependencies?.['@pipewright/plugin-api'] ?? pkg.dependencies?.['@pipewright/plugin-api']
  return {
    spec,
    name: pkg.name ?? spec,
    ...(pkg.version ? { version: pkg.version } : {}),
    dir,
    file: resolve(dir, entryOf(pkg) ?? 'index.js'),
    ...(apiRange ? { apiRange } : {}),
  }
}

/** Imports a located package's plugin. */
export async function importPluginPackage(located: LocatedPackage): Promise<ResolvedPlugin> {
  const label = `${located.spec}@${located.version ?? '?'}`
  const plugin = pickPlugin(await importOrExplain(label, located.file))
  if (!plugin) throw notAPlugin(label)
  const { file: _file, ...rest } = located
  return { plugin, ...rest }
}

/** Imports one plugin given by package name or path, relative to `baseDir`. */
export async function resolvePluginSpec(spec: string, baseDir: string): Promise<ResolvedPlugin> {
  if (!isPluginPath(spec)) return importPluginPackage(locatePluginPackage(spec, baseDir))
  const file = resolve(baseDir, spec)
  if (!existsSync(file)) {
    throw new PipewrightError('PW_ERR_PLUGIN_NOT_FOUND', `Plugin file ${spec} does not exist (looked at ${file})`, { details: 'Fix the path in `plugins:`; paths are relative to the pipeline file.' })
  }
  const plugin = pickPlugin(await importOrExplain(spec, file))
  if (!plugin) throw notAPlugin(spec)
  return { plugin, spec }
}

async function importOrExplain(label: string, file: string): Promise<unknown> {
  try {
    return await importFile(file)
  } catch (cause) {
    throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `Plugin ${label} failed to load from ${file}: ${(cause as Error).message}`, {
      details: 'Check that the package is built (its entry file exists) and that its own dependencies are installed.',
      cause,
    })
  }
}

function notAPlugin(label: string): PipewrightError {
  return new PipewrightError('PW_ERR_PLUGIN_INVALID', `${label} does not export a Pipewright plugin`, {
    details: 'Its default export must be the result of definePlugin({...}) from @pipewright/plugin-api.',
  })
}
