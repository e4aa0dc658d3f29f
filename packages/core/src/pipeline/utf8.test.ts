import { describe, expect, it } from 'vitest'
import { decodePipelineText, invalidUtf8Offset } from './utf8.js'

const strict = new TextDecoder('utf-8', { fatal: true })

describe('invalidUtf8Offset', () => {
  it.each([
    ['valid text', Buffer.from('name: café 😀\n'), -1],
    ['a Latin-1 é', Buffer.from([0x61, 0x62, 0xe9, 0x64]), 2],
    ['an overlong encoding', Buffer.from([0x61, 0xc0, 0x80]), 1],
    ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80]), 0],
    ['a sequence cut at the end', Buffer.from([0x61, 0xe2, 0x82]), 1],
    ['a byte above U+10FFFF', Buffer.from([0xf5, 0x80, 0x80, 0x80]), 0],
  ])('finds %s', (_, bytes, offset) => {
    expect(invalidUtf8Offset(bytes)).toBe(offset)
  })

  it('agrees with a strict decoder on random bytes, and points where decoding the prefix stops working', () => {
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256
    for (let n = 0; n < 2000; n++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (n % 12) }, () => (next() < 128 ? 0x41 : 0x80 + (next() % 0x78))))
      const offset = invalidUtf8Offset(bytes)
      let valid = true
      try {
        strict.decode(bytes)
      } catch {
        valid = false
      }
      expect(offset === -1, bytes.toString('hex')).toBe(valid)
      if (offset > 0) expect(() => strict.decode(bytes.subarray(0, offset))).not.toThrow()
    }
  })
})

describe('decodePipelineText', () => {
  it('refuses invalid UTF-8 with the byte offset, line:column and a fix', () => {
    const bytes = Buffer.concat([Buffer.from('name: x\nstages:\n  a: { run: "echo caf'), Buffer.from([0xe9]), Buffer.from('" }\n')])
    expect(() => decodePipelineText(bytes, '/p/pipewright.yml')).toThrow(
      expect.objectContaining({
        code: 'PW_ERR_CONFIG_INVALID',
        message: '/p/pipewright.yml:3:22: not valid UTF-8 at byte 37 (0xE9)',
        details: expect.stringContaining('save pipewright.yml as UTF-8'),
      }),
    )
  })
})
