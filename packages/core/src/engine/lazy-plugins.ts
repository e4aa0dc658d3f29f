import { PipewrightError } from '@pipewright/plugin-api'
import type { PluginHost } from '../plugins/host.js'
import type { ResolvedPlugin } from '../plugins/resolve.js'
import type { LazyPlugin } from './types.js'

/** Every plugin id a pipeline (as written) refers to: the prefix of each `uses:` value anywhere in it. */
export function referencedPluginIds(input: unknown): Set<string> {
  const ids = new Set<string>()
  const walk = (value: unknown, key?: string) => {
    if (typeof value === 'string') {
      if (key === 'uses') {
        const slash = value.indexOf('/')
        if (slash > 0) ids.add(value.slice(0, slash))
      }
    } else if (Array.isArray(value)) for (const v of value) walk(v)
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k)
  }
  walk(input)
  return ids
}

/** Plugins given as `{ lazy }`, imported the first time something needs them (with what they depend on). */
export class LazyPlugins {
  private readonly byId = new Map<string, LazyPlugin>()

  constructor(private readonly host: PluginHost) {}

  add(lazy: LazyPlugin): void {
    this.byId.set(lazy.id, lazy)
  }

  /** The lazy plugin a package name stands for, if any. */
  byName(name: string): LazyPlugin | undefined {
    return [...this.byId.values()].find((l) => l.name === name)
  }

  /** Whether `id` names a plugin that is loaded or can be loaded. */
  knows(id: string): boolean {
    return this.host.loaded.has(id) || this.byId.has(id)
  }

  async ensureAll(): Promise<void> {
    await this.ensure(this.byId.keys())
  }

  /** Loads the named lazy plugins not loaded yet, and the lazy plugins they depend on. */
  async ensure(ids: Iterable<string>): Promise<void> {
    const wanted = [...ids].filter((id) => this.byId.has(id) && !this.host.loaded.has(id))
    const batch = new Map<string, ResolvedPlugin>()
    while (wanted.length > 0) {
      const id = wanted.shift()!
      if (batch.has(id)) continue
      const lazy = this.byId.get(id)!
      let plugin
      try {
        plugin = await lazy.load()
      } catch (cause) {
        throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `Plugin ${lazy.name} failed to load: ${cause instanceof Error ? cause.message : String(cause)}`, {
          details: 'Reinstall Pipewright (its first-party plugins ship with it); run `pipewright doctor` to see which plugins load.',
          cause,
        })
      }
      // `dir` may only be known once the package was found (the loader sets it).
      batch.set(id, { plugin, spec: 'inline', name: lazy.name, ...(lazy.dir ? { dir: lazy.dir } : {}) })
      for (const dep of plugin.dependsOn ?? []) if (this.byId.has(dep) && !this.host.loaded.has(dep) && !batch.has(dep)) wanted.push(dep)
    }
    if (batch.size > 0) await this.host.add([...batch.values()])
  }
}
