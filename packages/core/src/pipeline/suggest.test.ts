import { describe, expect, it } from 'vitest'
import { closest, didYouMean, levenshtein } from './suggest.js'

describe('suggestions', () => {
  it('measures edit distance ignoring case', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3)
    expect(levenshtein('Build', 'build')).toBe(0)
    expect(levenshtein('', 'abc')).toBe(3)
  })

  it('suggests only plausible typos', () => {
    expect(closest('deplyo', ['deploy', 'build'])).toBe('deploy')
    expect(closest('xyz', ['deploy', 'build'])).toBeUndefined()
    expect(didYouMean('docker/biuld', ['docker/build', 'git/checkout'])).toBe(' Did you mean "docker/build"?')
    expect(didYouMean('zzz', [])).toBe('')
  })
})
