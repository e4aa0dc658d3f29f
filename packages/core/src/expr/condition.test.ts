import { describe, expect, it } from 'vitest'
import { conditionSource, evaluateCondition } from './condition.js'
import { makeContext } from './test-context.js'

const ok = makeContext()
const failed = makeContext({ status: { success: false, failure: true, cancelled: false } })
const cancelled = makeContext({ status: { success: false, failure: false, cancelled: true } })

describe('evaluateCondition', () => {
  it('defaults to success()', () => {
    expect(evaluateCondition(undefined, ok)).toBe(true)
    expect(evaluateCondition(undefined, failed)).toBe(false)
    expect(evaluateCondition('  ', failed)).toBe(false)
  })

  it('accepts the condition with or without ${{ }}', () => {
    expect(evaluateCondition("git.branch == 'main'", ok)).toBe(true)
    expect(evaluateCondition("${{ git.branch == 'dev' }}", ok)).toBe(false)
  })

  it('adds an implicit success() when no status function is called', () => {
    expect(evaluateCondition("git.branch == 'main'", failed)).toBe(false)
    expect(evaluateCondition("failure() && git.branch == 'main'", failed)).toBe(true)
    expect(evaluateCondition('always()', cancelled)).toBe(true)
    expect(evaluateCondition('cancelled()', cancelled)).toBe(true)
    expect(evaluateCondition('!cancelled()', failed)).toBe(true)
  })

  it('treats empty strings and zero as false', () => {
    expect(evaluateCondition('env.EMPTY', ok)).toBe(false)
    expect(evaluateCondition('matrix.node', ok)).toBe(true)
  })

  it('rejects ${{ }} mixed with other text with PW_ERR_EXPRESSION', () => {
    expect(() => conditionSource("${{ git.branch }} == 'main'")).toThrowError(/mixes \$\{\{ \}\} with other text/)
    expect(() => evaluateCondition("${{ a }} || ${{ b }}", ok)).toThrowError(expect.objectContaining({ code: 'PW_ERR_EXPRESSION' }))
  })
})
