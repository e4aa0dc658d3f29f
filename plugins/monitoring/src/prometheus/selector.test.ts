import { describe, expect, it } from 'vitest'
import { formatSelector, matchesLabels, parseSelector } from './selector.js'

describe('parseSelector', () => {
  it('reads a bare metric name', () => {
    expect(parseSelector('http_requests_total')).toEqual({ name: 'http_requests_total', matchers: [] })
    expect(parseSelector('  ns:rule:rate5m {}  ')).toEqual({ name: 'ns:rule:rate5m', matchers: [] })
  })

  it('reads every matcher operator, both quotes, escapes and a trailing comma', () => {
    expect(parseSelector(`x{code="500", method != 'GET', path=~"/api/.*", le!~"\\\\+Inf", q="a\\"b",}`)).toEqual({
      name: 'x',
      matchers: [
        { label: 'code', op: '=', value: '500' },
        { label: 'method', op: '!=', value: 'GET' },
        { label: 'path', op: '=~', value: '/api/.*' },
        { label: 'le', op: '!~', value: '\\+Inf' },
        { label: 'q', op: '=', value: 'a"b' },
      ],
    })
  })

  it('says where the text is wrong', () => {
    expect(() => parseSelector('5xx')).toThrow('expected a metric name at position 1')
    expect(() => parseSelector('x{code}')).toThrow('expected one of = != =~ !~ at position 7')
    expect(() => parseSelector('x{code=500}')).toThrow('expected a quoted label value at position 8')
    expect(() => parseSelector('x{code="5')).toThrow('unterminated label value starting at position 8')
    expect(() => parseSelector('x{a="1" b="2"}')).toThrow('expected , or } at position 9')
    expect(() => parseSelector('rate(x[5m])')).toThrow('unexpected "(x[5m])" after the selector "rate"')
    expect(() => parseSelector('x{a=~"("}')).toThrow('label a: invalid regular expression "("')
  })

  it('formats back to text', () => {
    expect(formatSelector(parseSelector(`x{code=~"5..", m!='GET'}`))).toBe('x{code=~"5..",m!="GET"}')
  })
})

describe('matchesLabels', () => {
  const labels = { code: '503', method: 'GET' }
  it('anchors regexes and reads a missing label as empty, as PromQL does', () => {
    expect(matchesLabels(parseSelector('x{code=~"5.."}').matchers, labels)).toBe(true)
    expect(matchesLabels(parseSelector('x{code=~"5"}').matchers, labels)).toBe(false)
    expect(matchesLabels(parseSelector('x{code!~"2..",method="GET"}').matchers, labels)).toBe(true)
    expect(matchesLabels(parseSelector('x{route=""}').matchers, labels)).toBe(true)
    expect(matchesLabels(parseSelector('x{method!="GET"}').matchers, labels)).toBe(false)
  })
})
