import { describe, expect, it } from 'vitest'
import { ERROR_CODES, PipewrightError, formatProblem, isPipewrightError, type ErrorCode } from './errors.js'

describe('error registry', () => {
  const codes = Object.keys(ERROR_CODES) as ErrorCode[]

  it.each(codes)('%s has a title, a fix, an exit code and an HTTP status', (code) => {
    const entry = ERROR_CODES[code]
    expect(code).toMatch(/^PW_ERR_[A-Z_]+$/)
    expect(entry.title.length).toBeGreaterThan(3)
    expect(entry.fix).toMatch(/[.)]$/)
    expect([1, 2, 130]).toContain(entry.exit)
    expect(entry.http).toBeGreaterThanOrEqual(400)
    const error = new PipewrightError(code, 'something happened')
    expect(error.code).toBe(code)
    expect(error.details).toBe(entry.fix)
    expect(error.exitCode).toBe(entry.exit)
    expect(error.httpStatus).toBe(entry.http)
    expect(isPipewrightError(error)).toBe(true)
  })

  it('carries problems, details and cause, and serializes without the stack', () => {
    const cause = new Error('root')
    const error = new PipewrightError('PW_ERR_CONFIG_INVALID', '2 problems', {
      details: 'fix them',
      cause,
      problems: [{ path: 'stages.a.needs', message: 'unknown stage "b"', file: 'p.yml', line: 3, column: 5 }],
    })
    expect(error.cause).toBe(cause)
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'PW_ERR_CONFIG_INVALID',
      message: '2 problems',
      details: 'fix them',
      problems: [{ path: 'stages.a.needs', message: 'unknown stage "b"', file: 'p.yml', line: 3, column: 5 }],
    })
    expect(formatProblem(error.problems[0]!)).toBe('p.yml:3:5 stages.a.needs: unknown stage "b"')
  })

  it('recognises errors from another copy of the package by shape', () => {
    expect(isPipewrightError({ name: 'PipewrightError', code: 'PW_ERR_USAGE' })).toBe(true)
    expect(isPipewrightError(new Error('x'))).toBe(false)
  })
})
