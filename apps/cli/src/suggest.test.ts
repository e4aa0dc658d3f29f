import { describe, expect, it } from 'vitest'
import { didYouMean } from './suggest.js'

describe('didYouMean', () => {
  it('suggests the closest candidate when it is a plausible typo', () => {
    expect(didYouMean('tset', ['lint', 'test', 'build'])).toBe(' Did you mean "test"?')
    expect(didYouMean('BUILD', ['lint', 'build'])).toBe(' Did you mean "build"?')
  })

  it('suggests nothing when no candidate is close', () => {
    expect(didYouMean('deploy', ['lint', 'test'])).toBe('')
    expect(didYouMean('x', [])).toBe('')
  })
})
