import { PLUGIN_ID_PATTERN, PipewrightError } from '@pipewright/plugin-api'

export interface PluginNames {
  /** npm package name, e.g. `pipewright-plugin-slack` or `@acme/pipewright-plugin-slack`. */
  packageName: string
  /** Plugin id, the prefix of its types: `slack` (so stages are `slack/<name>`). */
  id: string
  /** Directory name for the package: the package name without its scope. */
  dirName: string
}

const PREFIX = 'pipewright-plugin-'

/**
 * Accepts `slack`, `pipewright-plugin-slack` or `@acme/pipewright-plugin-slack` and derives the
 * package name and plugin id. A bare id gets the conventional `pipewright-plugin-` prefix, which is
 * how users find plugins on the registry.
 */
export function pluginNames(name: string): PluginNames {
  const match = /^(@[a-z0-9][a-z0-9._-]*\/)?([a-z0-9][a-z0-9._-]*)$/.exec(name)
  if (!match) {
    throw new PipewrightError('PW_ERR_USAGE', `"${name}" is not a valid package name`, {
      details: 'Use lowercase letters, digits and -, e.g. `slack`, `pipewright-plugin-slack` or `@acme/pipewright-plugin-slack`.',
    })
  }
  const scope = match[1] ?? ''
  const base = match[2]!
  const id = base.startsWith(PREFIX) ? base.slice(PREFIX.length) : base
  if (!PLUGIN_ID_PATTERN.test(id)) {
    throw new PipewrightError('PW_ERR_USAGE', `Plugin id "${id}" (from "${name}") must match ${PLUGIN_ID_PATTERN}`, {
      details: 'Start with a letter; use lowercase letters, digits and - only.',
    })
  }
  const unscoped = scope || base.startsWith(PREFIX) ? base : `${PREFIX}${base}`
  return { packageName: `${scope}${unscoped}`, id, dirName: unscoped }
}
