import { describe, expect, it } from 'vitest'
import { changeFailureBand, frequencyBand, leadTimeBand, recoveryBand } from './bands.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

// The boundaries of docs/insight.md's band table (DORA 2023/2024 reports), on both sides of each.
describe('DORA performance bands', () => {
  it('deployment frequency: daily is elite, weekly high, monthly (30 days) medium', () => {
    expect([1, 0.99, 1 / 7, 1 / 7 - 0.001, 1 / 30, 1 / 31].map(frequencyBand)).toEqual(['elite', 'high', 'high', 'medium', 'medium', 'low'])
  })

  it('lead time: under a day elite, under a week high, under a month medium', () => {
    expect([DAY - 1, DAY, 7 * DAY - 1, 7 * DAY, 30 * DAY - 1, 30 * DAY].map(leadTimeBand)).toEqual(['elite', 'high', 'high', 'medium', 'medium', 'low'])
  })

  it('change failure rate: up to 5 % elite, 10 % high, 15 % medium', () => {
    expect([0, 0.05, 0.051, 0.1, 0.101, 0.15, 0.151].map(changeFailureBand)).toEqual(['elite', 'elite', 'high', 'high', 'medium', 'medium', 'low'])
  })

  it('recovery time: under an hour elite, under a day high, under a week medium', () => {
    expect([HOUR - 1, HOUR, DAY - 1, DAY, 7 * DAY - 1, 7 * DAY].map(recoveryBand)).toEqual(['elite', 'high', 'high', 'medium', 'medium', 'low'])
  })
})
