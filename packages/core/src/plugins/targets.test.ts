import { createToken, definePlugin, z, type InstanceHandle } from '@pipewright/plugin-api'
import { describe, expect, it } from 'vitest'
import { loadTargets } from './targets.js'

const GREETING = createToken<string>('test.targets.greeting')

const handleOf = (id: string): InstanceHandle => ({ id, target: 'fake/box', environment: 'e', version: 'v1', host: '127.0.0.1', port: 1, startedAt: 0 })

const fake = definePlugin({
  id: 'fake',
  apiVersion: 1,
  configSchema: z.object({ greeting: z.string().default('hi') }),
  register(api) {
    api.provide(GREETING, { useFactory: () => api.config.greeting })
    api.target('box', {
      configSchema: z.object({ size: z.number() }),
      start: (_ctx, _config, spec) => handleOf(spec.id),
      stop: () => undefined,
      check: () => ({ alive: true }),
    })
  },
})

describe('loadTargets', () => {
  it('registers targets as <plugin-id>/<name> with the plugin scope', async () => {
    const catalog = await loadTargets([{ package: fake, config: { greeting: 'hello' } }])
    expect(catalog.list()).toEqual(['fake/box'])
    const box = catalog.get('fake/box')!
    expect(box.pluginId).toBe('fake')
    expect(box.pluginConfig).toEqual({ greeting: 'hello' })
    expect(box.resolver.resolve(GREETING)).toBe('hello')
    expect(box.definition.configSchema?.safeParse({ size: 'x' }).success).toBe(false)
    expect(catalog.get('fake/none')).toBeUndefined()
    expect(catalog.plugins()).toEqual([{ id: 'fake', source: 'inline' }])
  })

  it('refuses a target registered twice, naming the plugin', async () => {
    const twice = definePlugin({
      id: 'twice',
      apiVersion: 1,
      register(api) {
        const definition = { start: () => handleOf('x'), stop: () => undefined, check: () => ({ alive: true }) }
        api.target('box', definition)
        api.target('box', definition)
      },
    })
    await expect(loadTargets([twice])).rejects.toMatchObject({ code: 'PW_ERR_PLUGIN_INVALID', message: 'Plugin twice registers target twice/box twice' })
  })
})
