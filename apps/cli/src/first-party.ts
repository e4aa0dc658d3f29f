import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import type { LazyPlugin, PluginInput } from '@pipewright/core'
import { PipewrightError, isPlugin, type Plugin } from '@pipewright/plugin-api'

/** The plugins every `pipewright` command loads without being asked. */
export const FIRST_PARTY_PLUGINS = [
  '@pipewright/plugin-git',
  '@pipewright/plugin-test-runner',
  '@pipewright/plugin-linter',
  '@pipewright/plugin-docker',
  '@pipewright/plugin-deploy',
  '@pipewright/plugin-monitoring',
  '@pipewright/plugin-notification',
  '@pipewright/plugin-risk',
] as const

export interface FirstPartyLoad {
  /** Each plugin with the package it comes from, so a pipeline listing that package gets this one. */
  plugins: Array<{ package: Plugin; name: string }>
  /** Packages that could not be imported (doctor reports them; other commands warn). */
  failures: Array<{ name: string; message: string }>
}

/** The id of each first-party plugin (the prefix of its types), known without importing it. */
const IDS: Record<(typeof FIRST_PARTY_PLUGINS)[number], string> = {
  '@pipewright/plugin-git': 'git',
  '@pipewright/plugin-test-runner': 'test-runner',
  '@pipewright/plugin-linter': 'linter',
  '@pipewright/plugin-docker': 'docker',
  '@pipewright/plugin-deploy': 'deploy',
  '@pipewright/plugin-monitoring': 'monitoring',
  '@pipewright/plugin-notification': 'notification',
  '@pipewright/plugin-risk': 'risk',
}

/**
 * The first-party plugins as lazy inputs: the engine imports one only when a pipeline uses it,
 * so a command pays for the plugins it needs and no others.
 */
export function lazyFirstPartyPlugins(): PluginInput[] {
  return FIRST_PARTY_PLUGINS.map((name) => {
    const lazy: LazyPlugin = {
      id: IDS[name],
      name,
      async load() {
        const mod = (await import(name)) as { default?: unknown }
        if (!isPlugin(mod.default)) throw new PipewrightError('PW_ERR_PLUGIN_INVALID', `${name} does not export a Pipewright plugin`)
        try {
          lazy.dir = dirname(createRequire(import.meta.url).resolve(`${name}/package.json`))
        } catch {
          // Its integrity is then unknown: its version still keys the cache of its stages.
        }
        return mod.default
      },
    }
    return { lazy }
  })
}

/**
 * Imports the first-party plugin packages and keeps each default export that is a plugin.
 * A package without a plugin default export is skipped silently (it may only ship helpers).
 */
export async function loadFirstPartyPlugins(names: readonly string[] = FIRST_PARTY_PLUGINS): Promise<FirstPartyLoad> {
  const result: FirstPartyLoad = { plugins: [], failures: [] }
  for (const name of names) {
    try {
      const mod = (await import(name)) as { default?: unknown }
      if (isPlugin(mod.default)) result.plugins.push({ package: mod.default, name })
    } catch (error) {
      result.failures.push({ name, message: error instanceof Error ? error.message : String(error) })
    }
  }
  return result
}
