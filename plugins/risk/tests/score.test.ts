import { describe, expect, it } from 'vitest'
import { assessConfigSchema, scoreRisk, type RiskInputs } from '../src/index.js'

// Wednesday 2026-01-14 11:00 UTC: within working hours, no freeze.
const WEDNESDAY = Date.UTC(2026, 0, 14, 11)
const config = (extra: Record<string, unknown> = {}) => assessConfigSchema.parse({ environment: 'production', ...extra })

function inputs(overrides: Partial<RiskInputs> = {}): RiskInputs {
  return {
    change: { base: 'a'.repeat(40), head: 'b'.repeat(40), files: [{ path: 'src/app.ts', added: 10, deleted: 2 }] },
    tests: { now: { total: 100, failed: 0, coverage: 80 }, before: { total: 100, failed: 0, coverage: 80 } },
    flakyTests: [],
    deployments: { total: 10, failed: 0 },
    now: WEDNESDAY,
    ...overrides,
  }
}

const factor = (input: RiskInputs, name: string, cfg = config()) => scoreRisk(input, cfg).factors.find((f) => f.name === name)!

describe('risk factors: each moves the score in the documented direction', () => {
  it('a calm change scores 0 and passes', () => {
    expect(scoreRisk(inputs(), config())).toMatchObject({ score: 0, decision: 'pass' })
  })

  it('change size: more lines and files add more, capped at 25', () => {
    const big = inputs({ change: { base: 'a', head: 'b', files: Array.from({ length: 20 }, (_, i) => ({ path: `src/f${i}.ts`, added: 30, deleted: 10 })) } })
    expect(factor(big, 'change-size')).toMatchObject({ contribution: 24, data: { lines: 800, files: 20 } })
    expect(factor(inputs({ change: { base: 'a', head: 'b', files: [{ path: 'x', added: 5000, deleted: 0 }] } }), 'change-size').contribution).toBe(25)
    expect(factor(inputs(), 'change-size').contribution).toBeLessThan(factor(big, 'change-size').contribution)
  })

  it('sensitive paths: each default group touched adds 15 (migrations, infrastructure, auth, lockfiles); configurable groups replace them', () => {
    const touch = (...paths: string[]) => inputs({ change: { base: 'a', head: 'b', files: paths.map((path) => ({ path, added: 1, deleted: 0 })) } })
    expect(factor(touch('db/migrations/001_users.sql'), 'sensitive-paths')).toMatchObject({ contribution: 15, data: { touched: { migrations: ['db/migrations/001_users.sql'] } } })
    expect(factor(touch('pnpm-lock.yaml', 'src/auth/token.ts'), 'sensitive-paths').contribution).toBe(30)
    expect(factor(touch('infra/main.tf'), 'sensitive-paths').detail).toBe('touches infrastructure (1 file)')
    expect(factor(touch('src/app.ts'), 'sensitive-paths').contribution).toBe(0)
    const custom = config({ 'sensitive-paths': { billing: ['src/billing/**'] } })
    expect(factor(touch('src/billing/invoice.ts'), 'sensitive-paths', custom).contribution).toBe(15)
    expect(factor(touch('db/migrations/1.sql'), 'sensitive-paths', custom).contribution).toBe(0)
  })

  it('tests: failing tests, fewer tests and lost coverage add; no results at all adds 10', () => {
    expect(factor(inputs({ tests: { now: { total: 100, failed: 2 }, before: { total: 100, failed: 0 } } }), 'tests').contribution).toBe(10)
    expect(factor(inputs({ tests: { now: { total: 95, failed: 0 }, before: { total: 100, failed: 0 } } }), 'tests').contribution).toBe(5)
    expect(factor(inputs({ tests: { now: { total: 100, failed: 0, coverage: 78 }, before: { total: 100, failed: 0, coverage: 80 } } }), 'tests')).toMatchObject({ contribution: 6, data: { coverageDrop: 2 } })
    expect(factor(inputs({ tests: { now: { total: 100, failed: 0, coverage: 85 }, before: { total: 100, failed: 0, coverage: 80 } } }), 'tests').contribution).toBe(0)
    const { tests: _, ...noTests } = inputs()
    expect(factor(noTests, 'tests').contribution).toBe(10)
  })

  it('flaky tests: 5 each, at most 15', () => {
    expect(factor(inputs({ flakyTests: ['a'] }), 'flaky-tests').contribution).toBe(5)
    expect(factor(inputs({ flakyTests: ['a', 'b', 'c', 'd'] }), 'flaky-tests').contribution).toBe(15)
  })

  it('change failure rate: the share of recent deployments that failed, times 20', () => {
    expect(factor(inputs({ deployments: { total: 10, failed: 5 } }), 'change-failure-rate')).toMatchObject({ contribution: 10, data: { rate: 0.5 } })
    expect(factor(inputs({ deployments: { total: 10, failed: 1 } }), 'change-failure-rate').contribution).toBe(2)
  })

  it('time of day: outside working hours, on a Friday afternoon and at weekends add 10, in the configured time zone', () => {
    expect(factor(inputs({ now: Date.UTC(2026, 0, 14, 22) }), 'time-of-day').contribution).toBe(10)
    expect(factor(inputs({ now: Date.UTC(2026, 0, 16, 16) }), 'time-of-day').detail).toBe('Fri 16h UTC: on a Friday afternoon')
    expect(factor(inputs({ now: Date.UTC(2026, 0, 17, 11) }), 'time-of-day').contribution).toBe(10)
    // 11:00 UTC is 20:00 in Tokyo.
    expect(factor(inputs(), 'time-of-day', config({ 'time-zone': 'Asia/Tokyo' })).contribution).toBe(10)
  })

  it('freeze: closer to a freeze adds more (up to 15 within 24 h); inside one adds 30', () => {
    const freezes = [{ start: '2026-01-15T11:00:00Z', end: '2026-01-20T00:00:00Z' }]
    const at = (ms: number) => factor(inputs({ now: ms }), 'freeze', config({ freezes })).contribution
    expect(at(Date.UTC(2026, 0, 13, 11))).toBe(0)
    expect(at(Date.UTC(2026, 0, 14, 23))).toBe(8)
    expect(at(Date.UTC(2026, 0, 15, 9))).toBe(14)
    expect(at(Date.UTC(2026, 0, 16, 9))).toBe(30)
    expect(at(Date.UTC(2026, 0, 21, 9))).toBe(0)
  })

  it('thresholds decide: below approval-at passes, from approval-at waits for an approval, from block-at blocks', () => {
    const risky = inputs({ flakyTests: ['a', 'b'], deployments: { total: 10, failed: 5 } })
    expect(scoreRisk(risky, config()).score).toBe(20)
    expect(scoreRisk(risky, config({ 'approval-at': 21, 'block-at': 50 })).decision).toBe('pass')
    expect(scoreRisk(risky, config({ 'approval-at': 20, 'block-at': 50 })).decision).toBe('approval')
    expect(scoreRisk(risky, config({ 'approval-at': 10, 'block-at': 20 })).decision).toBe('block')
  })
})
