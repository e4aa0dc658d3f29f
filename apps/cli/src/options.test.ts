import { describe, expect, it } from 'vitest'
import { formatDuration, table } from './format.js'
import { parseDurationOption, parsePositiveInt, parseVars } from './options.js'
import { dockerEndpoint } from './commands/doctor-checks.js'
import { summarizeEvidence } from './commands/show.js'

describe('option parsers', () => {
  it('parseVars splits at the first =', () => {
    expect(parseVars(['a=1', 'url=http://x/?q=1'])).toEqual({ a: '1', url: 'http://x/?q=1' })
    expect(parseVars(undefined)).toBeUndefined()
    expect(() => parseVars(['=x'])).toThrow(/--var =x is not of the form name=value/)
  })

  it('parsePositiveInt and parseDurationOption reject nonsense with PW_ERR_USAGE', () => {
    expect(parsePositiveInt('--limit', '5')).toBe(5)
    expect(() => parsePositiveInt('--limit', '0')).toThrow(expect.objectContaining({ code: 'PW_ERR_USAGE' }))
    expect(parseDurationOption('--interval', '1m30s')).toBe(90_000)
    expect(() => parseDurationOption('--interval', 'soon')).toThrow(expect.objectContaining({ code: 'PW_ERR_USAGE' }))
  })
})

describe('formatting', () => {
  it('formatDuration', () => {
    expect(formatDuration(400)).toBe('0.4s')
    expect(formatDuration(65_000)).toBe('1m 05s')
    expect(formatDuration(3_720_000)).toBe('1h 02m')
    expect(formatDuration(undefined)).toBe('–')
  })

  it('table aligns columns ignoring colour codes', () => {
    expect(table([['\u001b[32mok\u001b[39m', 'x'], ['longer', 'y']])).toEqual(['\u001b[32mok\u001b[39m      x', 'longer  y'])
  })

  it('summarizeEvidence prefers a summary field and clips long JSON', () => {
    expect(summarizeEvidence({ summary: '3 of 4 checks passed', raw: [1, 2] })).toBe('3 of 4 checks passed')
    expect(summarizeEvidence({ a: 'x'.repeat(500) })).toHaveLength(120)
    expect(summarizeEvidence(undefined)).toBe('')
  })
})

describe('dockerEndpoint', () => {
  it('understands unix and tcp DOCKER_HOST values, defaulting to the standard socket', () => {
    expect(dockerEndpoint(undefined)).toEqual({ socketPath: '/var/run/docker.sock' })
    expect(dockerEndpoint('unix:///tmp/d.sock')).toEqual({ socketPath: '/tmp/d.sock' })
    expect(dockerEndpoint('tcp://127.0.0.1:2376')).toEqual({ host: '127.0.0.1', port: 2376 })
    expect(dockerEndpoint('npipe:////./pipe/docker_engine')).toBeUndefined()
  })
})
