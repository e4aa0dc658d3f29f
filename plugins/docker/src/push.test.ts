import { describe, expect, it } from 'vitest'
import { registryOf } from './push.js'

describe('registryOf', () => {
  it.each([
    ['app:1', undefined],
    ['team/app:1', undefined],
    ['127.0.0.1:5000/app:1', '127.0.0.1:5000'],
    ['localhost/app', 'localhost'],
    ['ghcr.io/o/app:1', 'ghcr.io'],
  ])('%s → %s', (ref, registry) => {
    expect(registryOf(ref)).toBe(registry)
  })
})
