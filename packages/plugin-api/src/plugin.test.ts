import { describe, expect, it } from 'vitest'
import { definePlugin, isPlugin } from './plugin.js'

describe('definePlugin', () => {
  it('returns a frozen, branded plugin object', () => {
    const plugin = definePlugin({ id: 'x', apiVersion: 1, register() {} })
    expect(isPlugin(plugin)).toBe(true)
    expect(Object.isFrozen(plugin)).toBe(true)
    expect(isPlugin({ id: 'x', apiVersion: 1, register() {} })).toBe(false)
  })
})
