import { describe, expect, it } from 'vitest'
import { evaluateExpression } from './evaluate.js'
import { makeContext } from './test-context.js'

const ctx = makeContext()
const run = (source: string) => evaluateExpression(source, ctx)

describe('evaluateExpression', () => {
  it('reads contexts, with dotted and bracket access', () => {
    expect(run('env.NODE_ENV')).toBe('production')
    expect(run("stages.build.outputs['tag']")).toBe('v1.2.3')
    expect(run('matrix.node')).toBe(20)
    expect(run('git.shortSha')).toBe('abcdef0')
    expect(run('run.pipeline')).toBe('demo')
    expect(run('secrets.TOKEN')).toBe('s3cr3t')
    expect(run('vars.region')).toBe('eu-west-1')
  })

  it('gives null for missing properties, at any depth, without throwing', () => {
    expect(run('env.MISSING')).toBeNull()
    expect(run('stages.nope.outputs.tag')).toBeNull()
    expect(run('git.tag')).toBeNull()
    expect(evaluateExpression('git.sha', makeContext({ git: undefined }))).toBeNull()
  })

  it('matches property names ignoring case', () => {
    expect(run('env.node_env')).toBe('production')
  })

  it('never reaches JavaScript internals through property names', () => {
    expect(run('env.constructor')).toBeNull()
    expect(run("env['__proto__']")).toBeNull()
    expect(run('stages.build.outputs.hasOwnProperty')).toBeNull()
  })

  it('compares strings ignoring case and coerces mixed types through numbers', () => {
    expect(run("env.NODE_ENV == 'PRODUCTION'")).toBe(true)
    expect(run("'abc' != 'ABC'")).toBe(false)
    expect(run("matrix.node == '20'")).toBe(true)
    expect(run('matrix.node >= 18')).toBe(true)
    expect(run("'b' > 'A'")).toBe(true)
    expect(run('null == 0')).toBe(true)
    expect(run('true == 1')).toBe(true)
    expect(run("'x' < 1")).toBe(false)
    expect(run("'' == 0")).toBe(true)
    expect(run('env.MISSING == null')).toBe(true)
  })

  it('returns operand values from && and ||, like GitHub Actions', () => {
    expect(run("env.MISSING || 'fallback'")).toBe('fallback')
    expect(run("env.NODE_ENV && 'yes'")).toBe('yes')
    expect(run("env.EMPTY && 'yes'")).toBe('')
    expect(run('!env.EMPTY')).toBe(true)
    expect(run('!0 && !null && !!1')).toBe(true)
    expect(run('-matrix.node')).toBe(-20)
  })

  it('applies && before ||', () => {
    expect(run('true || false && false')).toBe(true)
    expect(run('(true || false) && false')).toBe(false)
  })

  it('implements the string and JSON functions', () => {
    expect(run("contains(env.NODE_ENV, 'DUCT')")).toBe(true)
    expect(run("contains(fromJSON(stages.build.outputs.list), 'B')")).toBe(true)
    expect(run("contains(fromJSON(stages.build.outputs.list), 'c')")).toBe(false)
    expect(run("startsWith(git.branch, 'MA')")).toBe(true)
    expect(run("endsWith(git.branch, 'in')")).toBe(true)
    expect(run("format('{0}-{1}:{{literal}}', matrix.os, matrix.node)")).toBe('linux-20:{literal}')
    expect(run('toJSON(matrix)')).toBe('{\n  "node": 20,\n  "os": "linux"\n}')
    expect(run("fromJSON('{\"a\":[1,2]}').a[1]")).toBe(2)
  })

  it('reads the status functions from the context', () => {
    const failed = makeContext({ status: { success: false, failure: true, cancelled: false } })
    expect(evaluateExpression('success()', failed)).toBe(false)
    expect(evaluateExpression('failure()', failed)).toBe(true)
    expect(evaluateExpression('cancelled()', failed)).toBe(false)
    expect(evaluateExpression('always()', failed)).toBe(true)
  })

  it('throws PW_ERR_EXPRESSION naming the expression for unknown names and bad JSON', () => {
    expect(() => run('foo.bar')).toThrowError(expect.objectContaining({ code: 'PW_ERR_EXPRESSION', message: 'In expression "foo.bar": Unknown name "foo" in expression' }))
    expect(() => run("fromJSON('nope')")).toThrowError(/^In expression "fromJSON\('nope'\)": fromJSON\(\): the value \(4 characters\) is not valid JSON( at position \d+)?$/)
    expect(() => run("format('{1}', 'a')")).toThrowError(/\{1\} has no argument/)
  })
})
