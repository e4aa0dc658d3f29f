import { describe, expect, it } from 'vitest'
import { ERROR_CODES, PipewrightError, checkErrorCodes, errorCodeInfo, formatProblem, isPipewrightError, registerErrorCodes } from './errors.js'

describe('error registry', () => {
  const codes = Object.keys(ERROR_CODES) as Array<keyof typeof ERROR_CODES>

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

describe('plugin error codes', () => {
  const info = { title: 'Widget jammed', exit: 1, http: 503, fix: 'Unjam the widget.' }

  it('accepts codes under the plugin prefix and resolves them to their fix, exit code and plugin', () => {
    expect(checkErrorCodes('widget-maker', { PW_ERR_WIDGET_MAKER_JAMMED: info })).toEqual([])
    registerErrorCodes('widget-maker', { PW_ERR_WIDGET_MAKER_JAMMED: info })
    const error = new PipewrightError('PW_ERR_WIDGET_MAKER_JAMMED', 'the widget jammed')
    expect(error.details).toBe('Unjam the widget.')
    expect(error.httpStatus).toBe(503)
    expect(error.plugin).toBe('widget-maker')
    expect(errorCodeInfo('PW_ERR_WIDGET_MAKER_JAMMED')).toMatchObject({ plugin: 'widget-maker', title: 'Widget jammed' })
  })

  it('refuses codes outside the prefix, taken codes and missing fields', () => {
    const problems = checkErrorCodes('widget', {
      PW_ERR_GADGET_BROKEN: info,
      PW_ERR_USAGE: info,
      PW_ERR_WIDGET_: info,
      PW_ERR_WIDGET_NO_FIX: { title: 'x', exit: 1, http: 500 } as never,
    })
    expect(problems).toEqual([
      'error code PW_ERR_GADGET_BROKEN must match PW_ERR_WIDGET_<WHAT> (upper case, digits and _)',
      'error code PW_ERR_USAGE must match PW_ERR_WIDGET_<WHAT> (upper case, digits and _)',
      'error code PW_ERR_WIDGET_ must match PW_ERR_WIDGET_<WHAT> (upper case, digits and _)',
      'error code PW_ERR_WIDGET_NO_FIX needs a title, a fix, an exit code and an HTTP status',
    ])
  })

  it('keeps an unregistered code, with a generic fix and exit 1', () => {
    const error = new PipewrightError('PW_ERR_NOBODY_KNOWS', 'odd', { plugin: 'nobody' })
    expect(error.exitCode).toBe(1)
    expect(error.httpStatus).toBe(500)
    expect(error.plugin).toBe('nobody')
    expect(error.toJSON()).toMatchObject({ code: 'PW_ERR_NOBODY_KNOWS', plugin: 'nobody' })
  })
})
