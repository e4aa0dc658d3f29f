import { describe, expect, it } from 'vitest'
import { parseDuration } from '@pipewright/plugin-api'
import { durationText } from './duration-text.js'

describe('durationText', () => {
  it.each([
    [750, '750ms'],
    [2000, '2s'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [600_000, '10m'],
    [3_600_000, '1h'],
    [7_500_000, '2h5m'],
  ])('%d ms is %s, which parseDuration reads back', (ms, text) => {
    expect(durationText(ms)).toBe(text)
    expect(parseDuration(text)).toBe(ms)
  })
})
