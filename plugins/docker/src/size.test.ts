import { describe, expect, it } from 'vitest'
import { formatSize, parseSize } from './size.js'

describe('parseSize', () => {
  it.each([
    ['256m', 256 * 1024 ** 2],
    ['50MB', 50 * 1024 ** 2],
    ['1.5 GB', 1.5 * 1024 ** 3],
    ['512KiB', 512 * 1024],
    ['1024', 1024],
    ['10b', 10],
    [4096, 4096],
  ])('parses %s', (input, expected) => {
    expect(parseSize(input)).toBe(expected)
  })

  it.each(['', 'lots', '5 XB', '-1m', -5, Number.NaN])('rejects %s', (input) => {
    expect(parseSize(input)).toBeUndefined()
  })

  it('formats sizes for messages', () => {
    expect(formatSize(50 * 1024 ** 2)).toBe('50MB')
  })
})
