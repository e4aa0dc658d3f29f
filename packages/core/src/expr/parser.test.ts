import { describe, expect, it } from 'vitest'
import jsep from 'jsep'
import { PipewrightError } from '@pipewright/plugin-api'
import { parseExpression } from './parser.js'

function parseError(source: string): PipewrightError {
  try {
    parseExpression(source)
  } catch (error) {
    return error as PipewrightError
  }
  throw new Error(`expected "${source}" to be rejected`)
}

describe('parseExpression', () => {
  it('builds a tree of contexts, properties, calls and operators', () => {
    expect(parseExpression("contains(env.A, 'x') && !(matrix['os'] == 'linux')")).toEqual({
      type: 'and',
      start: 0,
      left: {
        type: 'call',
        name: 'contains',
        start: 0,
        args: [
          { type: 'property', start: 9, object: { type: 'context', name: 'env', start: 9 }, key: { type: 'literal', value: 'A', start: 13 } },
          { type: 'literal', value: 'x', start: 16 },
        ],
      },
      right: {
        type: 'not',
        start: 24,
        argument: {
          type: 'compare',
          operator: '==',
          start: 26,
          left: { type: 'property', start: 26, object: { type: 'context', name: 'matrix', start: 26 }, key: { type: 'literal', value: 'os', start: 33 } },
          right: { type: 'literal', value: 'linux', start: 42 },
        },
      },
    })
  })

  it('parses literals: numbers, both quotes, doubled quotes, true/false/null, negatives', () => {
    expect(parseExpression('1.5')).toMatchObject({ type: 'literal', value: 1.5 })
    expect(parseExpression('"a b"')).toMatchObject({ value: 'a b' })
    expect(parseExpression("'it''s'")).toMatchObject({ value: "it's" })
    expect(parseExpression('null')).toMatchObject({ value: null })
    expect(parseExpression('false')).toMatchObject({ value: false })
    expect(parseExpression('-2')).toMatchObject({ type: 'negate', argument: { value: 2 } })
  })

  it('accepts - inside names, as GitHub Actions does (outputs.image-id)', () => {
    const node = parseExpression("stages.build.outputs.image-id == 'x'")
    expect(JSON.stringify(node)).toContain('"image-id"')
    expect(() => parseExpression('stages.a-')).toThrow(/cannot end with "-"/)
  })

  it('returns the cached tree for a source it has seen', () => {
    expect(parseExpression('env.CACHED_ONE')).toBe(parseExpression('env.CACHED_ONE'))
  })

  it.each([
    ['a ? b : c', 'Unexpected "?" at position 3'],
    ['a + b', 'Operator + is not supported at position 3'],
    ['a === b', 'Operator === is not supported at position 3'],
    ['~a', 'Operator ~ is not supported at position 1'],
    ['this.x', '`this` is not supported at position 1'],
    ['a b', 'Unexpected "b" at position 3'],
    ['a; b', 'Unexpected ";" at position 2'],
    ['(a, b)', 'Expected ) but found "," at position 3'],
    ['[1, 2]', 'Array literals are not supported at position 1'],
    ['eval("1")', 'Only these functions can be called: contains, startsWith, endsWith, format, toJSON, fromJSON, success, failure, always, cancelled at position 1'],
    ['env.toString()', 'Only these functions can be called: contains, startsWith, endsWith, format, toJSON, fromJSON, success, failure, always, cancelled at position 1'],
    ['contains(a)', 'contains() takes 2 arguments, got 1 at position 1'],
    ['success(1)', 'success() takes 0 arguments, got 1 at position 1'],
    ["'open", 'Unclosed string at position 1'],
    ['(a', 'Unclosed ( at position 3'],
    ['', 'Empty expression at position 1'],
    ['a = 1', 'Unexpected "=" at position 3'],
  ])('rejects %s with PW_ERR_EXPRESSION and the position', (source, message) => {
    const error = parseError(source)
    expect(error).toBeInstanceOf(PipewrightError)
    expect(error.code).toBe('PW_ERR_EXPRESSION')
    expect(error.message).toBe(`Invalid expression "${source}": ${message}`)
  })

  it('points at the problem with a caret in details', () => {
    expect(parseError('env.A + 1').details.split('\n').slice(0, 2)).toEqual(['env.A + 1', '      ^'])
  })

  it.each([
    ['parentheses', `${'('.repeat(10_000)}1${')'.repeat(10_000)}`],
    ['unary operators', `${'!'.repeat(10_000)}a`],
    ['a chain of &&', Array(10_000).fill('a').join(' && ')],
    ['a chain of properties', `a${'.b'.repeat(10_000)}`],
    ['nested calls', `${'format('.repeat(10_000)}1${')'.repeat(10_000)}`],
  ])('refuses %s nested 10,000 deep with PW_ERR_EXPRESSION, briefly', (_, source) => {
    const error = parseError(source)
    expect(error.code).toBe('PW_ERR_EXPRESSION')
    expect(error.message).toMatch(/^Invalid expression ".{120}…": Nested more than 100 levels deep at position \d+$/)
    expect(error.details.length).toBeLessThan(600)
  })

  it('accepts nesting up to the limit', () => {
    expect(parseExpression(`${'('.repeat(99)}1${')'.repeat(99)}`)).toMatchObject({ type: 'literal', value: 1 })
    expect(parseExpression(Array(100).fill('a').join(' && '))).toMatchObject({ type: 'and' })
  })

  it('leaves the process-wide jsep grammar alone for other users', () => {
    parseExpression('a && b')
    expect(jsep('a + b ? c : d')).toMatchObject({ type: 'ConditionalExpression' })
  })
})
