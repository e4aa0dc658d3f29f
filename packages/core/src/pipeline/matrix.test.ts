import { describe, expect, it } from 'vitest'
import { expandMatrix, instanceId } from './matrix.js'

describe('matrix', () => {
  it('expands the cartesian product in key order, the last key fastest', () => {
    expect(expandMatrix({ node: [18, 20], os: ['linux', 'mac'] })).toEqual([
      { node: 18, os: 'linux' },
      { node: 18, os: 'mac' },
      { node: 20, os: 'linux' },
      { node: 20, os: 'mac' },
    ])
    expect(expandMatrix(undefined)).toEqual([{}])
  })

  it('names instances id[key=value,…]', () => {
    expect(instanceId('test', { node: 18 })).toBe('test[node=18]')
    expect(instanceId('test', { node: 18, os: 'linux', ci: true })).toBe('test[node=18,os=linux,ci=true]')
    expect(instanceId('build', {})).toBe('build')
  })
})
