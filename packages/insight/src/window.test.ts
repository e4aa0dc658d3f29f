import { describe, expect, it } from 'vitest'
import { parseSince, parseWindow, weekStart, weeksOf } from './window.js'

const now = Date.parse('2026-03-20T12:00:00Z')

describe('--since', () => {
  it('reads spans and dates', () => {
    expect(parseSince('30d', now)).toEqual({ from: now - 30 * 86_400_000, to: now })
    expect(parseSince('2w', now)).toEqual({ from: now - 14 * 86_400_000, to: now })
    expect(parseSince('48h', now)).toEqual({ from: now - 48 * 3_600_000, to: now })
    expect(parseSince('2026-03-01', now)).toEqual({ from: Date.parse('2026-03-01T00:00:00Z'), to: now })
  })

  it.each([
    ['30 days', 'neither a span nor a date'],
    ['0d', 'longer than zero'],
    ['2026-02-31', 'does not exist'],
    ['2027-01-01', 'not in the past'],
    ['-5d', 'neither a span nor a date'],
  ])('refuses %s, saying why and what to write', (since, why) => {
    let error: unknown
    try {
      parseSince(since, now)
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'PW_ERR_REPORT_WINDOW', message: expect.stringContaining(why), details: expect.stringContaining('30d') })
  })
})

describe('--since with --until', () => {
  it('ends the window at until (a span back from now or a date), else now', () => {
    expect(parseWindow('30d', undefined, now)).toEqual({ from: now - 30 * 86_400_000, to: now })
    expect(parseWindow('30d', '7d', now)).toEqual({ from: now - 30 * 86_400_000, to: now - 7 * 86_400_000 })
    expect(parseWindow('2026-03-01', '2026-03-08', now)).toEqual({ from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-03-08T00:00:00Z') })
  })

  it.each([
    ['30d', '31d', '--until "31d" is not a window: it is not after --since "30d"'],
    ['30d', 'soon', '--until "soon" is not a window: it is neither a span nor a date'],
    ['bad', '7d', '--since "bad" is not a window: it is neither a span nor a date'],
  ])('refuses since %s until %s, naming the option', (since, until, message) => {
    expect(() => parseWindow(since, until, now)).toThrow(expect.objectContaining({ code: 'PW_ERR_REPORT_WINDOW', message }))
  })
})

describe('weeks', () => {
  it('start on Monday 00:00 UTC and cover the window', () => {
    // 2026-03-20 is a Friday; its Monday is 2026-03-16.
    expect(new Date(weekStart(now)).toISOString()).toBe('2026-03-16T00:00:00.000Z')
    expect(weeksOf({ from: Date.parse('2026-03-04T00:00:00Z'), to: now }).map((w) => new Date(w).toISOString().slice(0, 10))).toEqual(['2026-03-02', '2026-03-09', '2026-03-16'])
  })
})
