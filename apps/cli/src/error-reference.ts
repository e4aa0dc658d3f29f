import { errorCodeInfo, registerErrorCodes, registeredErrorCodes } from '@pipewright/plugin-api'
import { renderErrorReference } from './render/error-reference-doc.js'
import { loadFirstPartyPlugins } from './first-party.js'

/**
 * `docs/errors.md`: the engine's codes and those the first-party plugins register when they load.
 * Third-party plugins document their own.
 */
export async function firstPartyErrorReference(): Promise<string> {
  const { plugins } = await loadFirstPartyPlugins()
  for (const { package: plugin } of plugins) {
    if (plugin.errors && Object.keys(plugin.errors).some((code) => !errorCodeInfo(code))) registerErrorCodes(plugin.id, plugin.errors)
  }
  const ours = new Set(plugins.map((p) => p.package.id))
  const codes = Object.fromEntries(Object.entries(registeredErrorCodes()).filter(([, info]) => !info.plugin || ours.has(info.plugin)))
  return renderErrorReference(codes)
}
