import { isPlugin, type Plugin } from '@pipewright/plugin-api'

/** The plugins every `pipewright` command loads without being asked. */
export const FIRST_PARTY_PLUGINS = [
  '@pipewright/plugin-git',
  '@pipewright/plugin-test-runner',
  '@pipewright/plugin-linter',
  '@pipewright/plugin-docker',
  '@pipewright/plugin-deploy',
  '@pipewright/plugin-monitoring',
  '@pipewright/plugin-notification',
] as const

export interface FirstPartyLoad {
  /** Each plugin with the package it comes from, so a pipeline listing that package gets this one. */
  plugins: Array<{ package: Plugin; name: string }>
  /** Packages that could not be imported (doctor reports them; other commands warn). */
  failures: Array<{ name: string; message: string }>
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
