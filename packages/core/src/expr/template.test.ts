import { describe, expect, it } from 'vitest'
import { findExpressions, interpolate } from './template.js'
import { makeContext } from './test-context.js'

describe('findExpressions', () => {
  it('finds every expression with its offsets, ignoring }} inside strings', () => {
    const text = "echo ${{ env.A }}-${{format('}}{0}', 'x')}}"
    expect(findExpressions(text)).toEqual([
      { source: 'env.A', start: 5, end: 17 },
      { source: "format('}}{0}', 'x')", start: 18, end: text.length },
    ])
  })

  it('returns nothing for plain text', () => {
    expect(findExpressions('echo $HOME ${NOT} {{ x }}')).toEqual([])
  })

  it('throws PW_ERR_EXPRESSION for an unclosed ${{', () => {
    expect(() => findExpressions('echo ${{ env.A')).toThrowError(expect.objectContaining({ code: 'PW_ERR_EXPRESSION', message: 'Unclosed ${{ at position 6 of "echo ${{ env.A"' }))
  })
})

describe('interpolate', () => {
  const ctx = makeContext()

  it('replaces each expression with its value as text', () => {
    expect(interpolate('node ${{ matrix.node }} on ${{ matrix.os }} (${{ git.shortSha }})', ctx)).toBe('node 20 on linux (abcdef0)')
  })

  it('writes null as empty, booleans as words and objects as JSON', () => {
    expect(interpolate('[${{ env.MISSING }}][${{ env.A == null }}][${{ matrix }}]', ctx)).toBe('[][true][{"node":20,"os":"linux"}]')
  })

  it('leaves text without expressions as it is', () => {
    expect(interpolate('echo $HOME', ctx)).toBe('echo $HOME')
  })
})
