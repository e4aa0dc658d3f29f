import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { PipewrightError, isPipewrightError } from '@pipewright/plugin-api'
import { importDeclared, locateDeclared, pinnablePackage, refSpec, resolvePluginInput } from '../plugins/inputs.js'
import { checkPins, computePackageIntegrity, lockFileFor, pinStatuses } from '../plugins/lockfile.js'
import type { PluginHost } from '../plugins/host.js'
import type { ResolvedPlugin } from '../plugins/resolve.js'
import { findPackageDir } from '../plugins/resolve.js'
import { readPipelineFile, type SourceLocator } from '../pipeline/load.js'
import type { PluginRef } from '../pipeline/schema.js'
import type { UsesRegistry } from '../pipeline/validate.js'
import { LazyPlugins, referencedPluginIds } from './lazy-plugins.js'
import type { PluginInput, PluginPins } from './types.js'

export function apiPackageVersion(): string {
  const require = createRequire(import.meta.url)
  return (JSON.parse(readFileSync(require.resolve('@pipewright/plugin-api/package.json'), 'utf8')) as { version: string }).version
}

/** Loads the engine's own plugins and those pipelines declare, pins checked before any import. */
export class PluginLoader {
  private readonly integrity = new Map<string, Promise<string | undefined>>()
  readonly lazy: LazyPlugins

  constructor(
    private readonly host: PluginHost,
    private readonly pins: 'check' | 'off',
  ) {
    this.lazy = new LazyPlugins(host)
  }

  async loadInputs(inputs: PluginInput[], baseDir: string): Promise<void> {
    const resolved: ResolvedPlugin[] = []
    for (const input of inputs) {
      if (typeof input === 'object' && 'lazy' in input) this.lazy.add(input.lazy)
      else resolved.push(await resolvePluginInput(input, baseDir))
    }
    await this.host.add(resolved)
  }

  /**
   * Imports the lazy plugins a pipeline (as written) needs: those its `uses:` values name and those
   * it lists in `plugins:`. A `uses:` no plugin is known for loads them all, so the "did you mean"
   * of validation can look at every type there is.
   */
  async prepareFor(input: unknown): Promise<void> {
    const ids = referencedPluginIds(input)
    for (const ref of this.declaredRefs(input)) {
      const lazy = ref === undefined ? undefined : this.lazy.byName(refSpec(ref))
      if (lazy) ids.add(lazy.id)
    }
    if ([...ids].some((id) => !this.lazy.knows(id))) await this.lazy.ensureAll()
    else await this.lazy.ensure(ids)
  }

  /**
   * A declared package the engine already has built in: given as an object with its package
   * name, loaded or lazy. Built-ins keep their default configuration: `plugins:` cannot change it.
   */
  builtIn(ref: PluginRef): boolean {
    const spec = refSpec(ref)
    const id = [...this.host.loaded.values()].find((p) => p.builtIn && p.source === spec)?.id ?? this.lazy.byName(spec)?.id
    if (id === undefined) return false
    if (typeof ref !== 'string' && ref.config) {
      throw new PipewrightError('PW_ERR_PLUGIN_CONFIG', `${spec} is built in and already loaded with its default configuration; plugins: cannot configure it`, {
        details: `Remove the config from plugins:, or configure ${id} through its environment (see its README).`,
      })
    }
    return true
  }

  /**
   * Loads the plugins a pipeline declares. Installed packages are located and their pins checked
   * against `lockFile` before any of their code is imported: a tampered plugin never runs.
   */
  async loadDeclared(refs: Array<PluginRef | undefined>, baseDir: string, lockFile: string | undefined, source?: { file: string; locator?: SourceLocator }): Promise<void> {
    const indexOf = new Map<string, number>()
    const declared = refs.flatMap((ref, index) => (ref === undefined || this.builtIn(ref) ? [] : [{ index, ...locateDeclared(ref, baseDir) }]))
    if (lockFile && this.pins === 'check') {
      const pinnable = declared.map((d) => (d.located ? pinnablePackage(d.located) : undefined)).filter((p) => p !== undefined)
      if (pinnable.length > 0) await checkPins(lockFile, pinnable, { update: false })
    }
    const resolved: ResolvedPlugin[] = []
    for (const d of declared) {
      const r = await importDeclared(d, baseDir)
      indexOf.set(r.plugin.id, d.index)
      resolved.push(r)
    }
    try {
      await this.host.add(resolved)
    } catch (error) {
      throw source && isPipewrightError(error) && error.code === 'PW_ERR_PLUGIN_CONFIG' ? locatePluginConfigProblems(error, indexOf, source) : error
    }
  }

  /** The entries of `plugins:` in place; unusable ones are undefined (validation reports them). */
  declaredRefs(input: unknown): Array<PluginRef | undefined> {
    const declared = (input as { plugins?: unknown } | null)?.plugins
    return Array.isArray(declared)
      ? declared.map((p) => (typeof p === 'string' || (typeof p === 'object' && p !== null && typeof (p as { package?: unknown }).package === 'string') ? (p as PluginRef) : undefined))
      : []
  }

  async pinPlugins(file: string, options: { update?: boolean } = {}): Promise<PluginPins> {
    const read = await readPipelineFile(resolve(file))
    const lockFile = lockFileFor(read.file)
    const pinnable = this.declaredRefs(read.input)
      .filter((ref): ref is PluginRef => ref !== undefined && !this.builtIn(ref))
      .map((ref) => locateDeclared(ref, read.dir).located)
      .map((located) => (located ? pinnablePackage(located) : undefined))
      .filter((p) => p !== undefined)
    if (!options.update) return { lockFile, plugins: await pinStatuses(lockFile, pinnable) }
    const { changed } = await checkPins(lockFile, pinnable, { update: true })
    const byName = new Map(changed.map((c) => [c.name, c.reason]))
    return { lockFile, plugins: pinnable.map((p) => ({ name: p.name, version: p.version, status: byName.get(p.name) ?? 'pinned' })) }
  }

  /**
   * The content integrity of a loaded plugin's package (`sha512-…`), computed once per engine:
   * part of the cache key of its stages, so a changed plugin never serves an old result.
   */
  pluginIntegrity(pluginId: string): Promise<string | undefined> {
    let known = this.integrity.get(pluginId)
    if (!known) {
      known = this.computeIntegrity(pluginId)
      this.integrity.set(pluginId, known)
    }
    return known
  }

  private async computeIntegrity(pluginId: string): Promise<string | undefined> {
    const info = this.host.loaded.get(pluginId)
    const name = info?.resolved.name
    const dir = info?.resolved.dir ?? (name ? (packageDirOf(name) ?? findPackageDir(name, process.cwd())) : undefined)
    if (!dir) return undefined
    try {
      return await computePackageIntegrity(dir)
    } catch {
      return undefined
    }
  }

  registry(): UsesRegistry {
    const { host } = this
    return {
      stage: (uses) => host.stages.get(uses)?.definition,
      gate: (uses) => host.gates.get(uses)?.definition,
      notifier: (uses) => host.notifiers.get(uses)?.definition,
      stageTypes: () => [...host.stages.keys()],
      gateTypes: () => [...host.gates.keys()],
      notifierTypes: () => [...host.notifiers.keys()],
      target: (uses) => host.targets.get(uses)?.definition,
      targetTypes: () => [...host.targets.keys()],
      monitor: (uses) => host.monitors.get(uses)?.definition,
      monitorTypes: () => [...host.monitors.keys()],
    }
  }
}

/** Where Node would load a package from, seen from this engine (built-in plugins passed as objects). */
function packageDirOf(name: string): string | undefined {
  try {
    const require = createRequire(import.meta.url)
    return resolve(require.resolve(`${name}/package.json`), '..')
  } catch {
    return undefined
  }
}

/** Points plugin configuration problems at `plugins[<n>].config…` in the pipeline file, with line:column. */
function locatePluginConfigProblems(error: PipewrightError, indexOf: Map<string, number>, source: { file: string; locator?: SourceLocator }): PipewrightError {
  const problems = error.problems.map((p) => {
    const m = /^plugins\.([a-z][a-z0-9-]*)\.config(.*)$/.exec(p.path)
    const index = m ? indexOf.get(m[1]!) : undefined
    if (!m || index === undefined) return p
    const rest = m[2]!.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : s))
    const at = source.locator?.locate(['plugins', index, 'config', ...rest])
    return { ...p, path: ['plugins', index, 'config', ...rest].join('.'), file: source.file, ...(at ? { line: at.line, column: at.column } : {}) }
  })
  return new PipewrightError(error.code, error.message, { details: error.details, problems, cause: error })
}
