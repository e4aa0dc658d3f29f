import { API_VERSION, isPlugin, type PluginApi } from '@pipewright/plugin-api'
import { describe, expect, it } from 'vitest'
import linter from '../src/index.js'

describe('the linter plugin', () => {
  it('is a plugin for this api version and registers its stage and gate types', async () => {
    expect(isPlugin(linter)).toBe(true)
    expect(linter).toMatchObject({ id: 'linter', apiVersion: API_VERSION })
    // A recording PluginApi: registration is all that is observed here (the engine test runs them).
    const registered: string[] = []
    const api = {
      id: 'linter',
      config: undefined,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      stage: (name: string, def: { configSchema?: unknown; run: unknown }) => {
        expect(def.configSchema).toBeDefined()
        registered.push(`stage:${name}`)
      },
      gate: (name: string) => void registered.push(`gate:${name}`),
      monitor: (name: string) => void registered.push(`monitor:${name}`),
      notifier: (name: string) => void registered.push(`notifier:${name}`),
      provide: () => {},
    } as unknown as PluginApi
    await linter.register(api)
    expect(registered).toEqual(['stage:eslint', 'stage:sarif', 'stage:run', 'gate:max-issues'])
  })
})
