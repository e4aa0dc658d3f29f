import { describe, expect, it } from 'vitest'
import { PipewrightError } from '@pipewright/plugin-api'
import { createRedactor } from '../security/redact.js'
import { serializeError } from './serialize-error.js'

describe('serializeError', () => {
  const redact = createRedactor(['s3cr3t-value'])

  it('keeps a PipewrightError code and details, redacted', () => {
    const e = new PipewrightError('PW_ERR_GIT_AUTH', 'push to https://s3cr3t-value@host failed', { details: 'token s3cr3t-value rejected' })
    expect(serializeError(e, redact)).toEqual({ code: 'PW_ERR_GIT_AUTH', message: 'push to https://***@host failed', details: 'token *** rejected' })
  })

  it('reports anything else as PW_ERR_INTERNAL, redacted', () => {
    expect(serializeError(new TypeError('cannot read s3cr3t-value'), redact)).toEqual({ code: 'PW_ERR_INTERNAL', message: 'cannot read ***' })
    expect(serializeError('a string', redact)).toEqual({ code: 'PW_ERR_INTERNAL', message: 'a string' })
  })
})
