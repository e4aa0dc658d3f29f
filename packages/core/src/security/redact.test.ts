import { describe, expect, it } from 'vitest'
import { softSplitPoint } from '../exec/line-reader.js'
import { MASK, createRedactor, redactDeep, secretForms, splitPointFor } from './redact.js'

describe('redaction', () => {
  it('masks every form of every secret, longest first, and leaves text without secrets alone', () => {
    const redact = createRedactor(['abc', 'abcdef', 'p@ss word'])
    expect(redact('x abcdef y abc z')).toBe(`x ${MASK} y ${MASK} z`)
    expect(redact(`q=${encodeURIComponent('p@ss word')}&r=p%40ss+word`)).toBe(`q=${MASK}&r=${MASK}`)
    expect(redact('nothing here')).toBe('nothing here')
  })

  it('covers multi-line secrets line by line, and their JSON-escaped form', () => {
    const key = 'BEGIN\nMIIBOgIBAAJBAKj34\nEND'
    const forms = secretForms(key)
    expect(forms).toEqual(expect.arrayContaining([key, 'MIIBOgIBAAJBAKj34', JSON.stringify(key).slice(1, -1)]))
    expect(createRedactor([key])('got MIIBOgIBAAJBAKj34 in a log')).toBe(`got ${MASK} in a log`)
  })

  it('is the identity without secrets, and redactDeep masks strings anywhere in a value', () => {
    const none = createRedactor([''])
    expect(none('abc')).toBe('abc')
    const redact = createRedactor(['t0ken'])
    expect(redactDeep({ a: ['x t0ken', 3, null], b: { c: 't0ken' } }, redact)).toEqual({ a: [`x ${MASK}`, 3, null], b: { c: MASK } })
  })

  it('masks URL escapes in upper, lower and mixed case, and nothing more', () => {
    const redact = createRedactor(['a+b/c é'])
    expect(redact('a%2Bb%2Fc%20%C3%A9 a%2bb%2fc%20%c3%a9 a%2Bb%2fc+%C3%a9')).toBe(`${MASK} ${MASK} ${MASK}`)
    expect(redact('A%2BB%2FC%20%C3%A9')).toBe('A%2BB%2FC%20%C3%A9')
  })

  it('gives a split point for long lines that never falls inside a secret', () => {
    const redact = createRedactor(['t0ps3cr3t'])
    const text = `${'x'.repeat(95)}t0ps3cr3t${'y'.repeat(50)}`
    expect(splitPointFor(redact)(text, 100)).toBe(95)
    expect(splitPointFor(redact)('z'.repeat(150), 100)).toBe(100)
    expect(splitPointFor((t) => t)).toBe(softSplitPoint)
  })
})
