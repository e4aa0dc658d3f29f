import { createMemoryStore } from '@pipewright/store-api'
import { describe, expect, it } from 'vitest'
import { computeDora } from '../src/dora.js'
import { DAY, HOUR, MIN, T0, seedDeployment } from './seed.js'

// Every history below is written through the Store API; the expected figures were worked out by
// hand from the timestamps, as the comments show.
const window = { from: T0, to: T0 + 14 * DAY }

describe('DORA metrics', () => {
  it('computes each figure of a seeded history by hand', async () => {
    const store = createMemoryStore()
    // Day 0 09:00: v-a, committed 2 h before → lead 2 h; healthy.
    await seedDeployment(store, T0 + 9 * HOUR, { version: 'a', commitAt: T0 + 7 * HOUR, branch: 'main' })
    // Day 1 10:00: v-b, committed 30 h before → lead 30 h; rolled back at 10:40 → failure (rollback), recovered in 40 min.
    const b = await seedDeployment(store, T0 + DAY + 10 * HOUR, { version: 'b', commitAt: T0 + 4 * HOUR, branch: 'main' })
    await seedDeployment(store, T0 + DAY + 10 * HOUR + 40 * MIN, { kind: 'rollback', version: 'a', replaces: b.id })
    // Day 2 12:00: v-c, lead 6 h; its verification gate failed after it went live → failure (verification).
    const c = await seedDeployment(store, T0 + 2 * DAY + 12 * HOUR, { version: 'c', commitAt: T0 + 2 * DAY + 6 * HOUR, branch: 'main', stageStatus: 'failed', gateFailed: true })
    // Day 2 15:00: v-d from hotfix/c, lead 1 h: a hotfix 3 h after c (c: + hotfix), rework, and c's recovery (3 h).
    const d = await seedDeployment(store, T0 + 2 * DAY + 15 * HOUR, { version: 'd', commitAt: T0 + 2 * DAY + 14 * HOUR, branch: 'hotfix/c' })
    // Day 9 09:00: v-e, lead 8 h, no commit-less deploys; healthy.
    await seedDeployment(store, T0 + 9 * DAY + 9 * HOUR, { version: 'e', commitAt: T0 + 9 * DAY + 1 * HOUR, branch: 'main' })
    // A failed deploy (the old version kept serving) is not a deployment: it never went live.
    await seedDeployment(store, T0 + 10 * DAY, { version: 'f', outcome: 'failed', commitAt: T0 + 9 * DAY })

    const [m] = (await computeDora(store, { window })).pipelines
    // 5 deployments (a, b, c, d, e) over 14 days → 5/14 per day = 2.5 a week → high (weekly or better, not daily).
    expect(m!.deployments).toBe(5)
    expect(m!.deploymentFrequency.perDay).toBeCloseTo(5 / 14, 10)
    expect(m!.deploymentFrequency.perWeek).toBeCloseTo(2.5, 10)
    expect(m!.deploymentFrequency.band).toBe('high')
    // Leads: 2 h, 30 h, 6 h, 1 h, 8 h → sorted 1, 2, 6, 8, 30 → median 6 h → elite (under a day).
    expect(m!.leadTime).toEqual({ medianMs: 6 * HOUR, samples: 5, withoutCommitTime: 0, band: 'elite' })
    // Failures: b (rollback), c (verification + hotfix) → 2 of 5 = 40 % → low (over 15 %).
    expect(m!.changeFailureRate).toMatchObject({ failed: 2, total: 5, rate: 0.4, band: 'low' })
    expect(m!.changeFailureRate.failures.map((f) => [f.version, f.reasons])).toEqual([['b', ['rollback']], ['c', ['verification', 'hotfix']]])
    // Recovery: b → rollback after 40 min; c → hotfix d after 3 h; median (40 min + 180 min)/2 = 110 min → high (under a day).
    expect(m!.recoveryTime).toEqual({ medianMs: 110 * MIN, samples: 2, unrecovered: 0, band: 'high' })
    expect(m!.changeFailureRate.failures[1]).toMatchObject({ recoveredBy: d.id, recoveredAt: d.finishedAt })
    // Rework: d (a hotfix, and the first deployment after failed c) → 1 of 5 = 20 %.
    expect(m!.reworkRate).toEqual({ rework: 1, total: 5, rate: 0.2, deploymentIds: [d.id] })
    // Weeks from Monday T0: week 1 has a, b, c, d (2 failures; leads 2, 30, 6, 1 → median 4 h), week 2 has e (lead 8 h).
    expect(m!.weeks).toEqual([
      { week: '2026-03-02', deployments: 4, failures: 2, leadTimeHours: 4 },
      { week: '2026-03-09', deployments: 1, failures: 0, leadTimeHours: 8 },
    ])
    expect(c.id).toBeTruthy()
  })

  it('reports no figures and no bands when nothing was deployed', async () => {
    const store = createMemoryStore()
    // A deployment to staging only: production has none.
    await seedDeployment(store, T0 + DAY, { environment: 'staging' })
    expect((await computeDora(store, { window })).pipelines).toEqual([])
    const [m] = (await computeDora(store, { window, pipeline: 'shop' })).pipelines
    expect(m).toMatchObject({ deployments: 0, deploymentFrequency: { perDay: 0, perWeek: 0 }, leadTime: { samples: 0 }, changeFailureRate: { failed: 0, total: 0, failures: [] }, recoveryTime: { samples: 0, unrecovered: 0 }, reworkRate: { rework: 0, total: 0 } })
    expect(m!.deploymentFrequency.band).toBeUndefined()
    expect(m!.changeFailureRate.rate).toBeUndefined()
    expect(m!.leadTime.medianMs).toBeUndefined()
    expect(m!.weeks.every((w) => w.deployments === 0)).toBe(true)
  })

  it('follows a rollback of a rollback to the rollback that stuck', async () => {
    const store = createMemoryStore()
    // Day 1 10:00 v1 healthy; day 2 10:00 v2 goes bad; 10:30 rollback R1 to v1 (itself bad: v1
    // needs a migration v2 made); 12:00 rollback R2 replaces R1 and sticks.
    await seedDeployment(store, T0 + DAY + 10 * HOUR, { version: 'v1' })
    const v2 = await seedDeployment(store, T0 + 2 * DAY + 10 * HOUR, { version: 'v2' })
    const r1 = await seedDeployment(store, T0 + 2 * DAY + 10 * HOUR + 30 * MIN, { kind: 'rollback', version: 'v1', replaces: v2.id })
    const r2 = await seedDeployment(store, T0 + 2 * DAY + 12 * HOUR, { kind: 'rollback', version: 'v2-fixed', replaces: r1.id })
    const [m] = (await computeDora(store, { window })).pipelines
    // Rollbacks are not deployments: 2 deployments, v2 failed (rolled back) → 50 %.
    expect(m!.deployments).toBe(2)
    expect(m!.changeFailureRate).toMatchObject({ failed: 1, total: 2, rate: 0.5 })
    // R1 was itself rolled back, so healthy again only at R2: 12:00 − 10:00 = 2 h.
    expect(m!.changeFailureRate.failures[0]).toMatchObject({ deploymentId: v2.id, reasons: ['rollback'], recoveredBy: r2.id })
    expect(m!.recoveryTime).toMatchObject({ medianMs: 2 * HOUR, samples: 1, unrecovered: 0 })
  })

  it('counts a deployment by when it finished, and judges it by what came after the window', async () => {
    const store = createMemoryStore()
    // Finished 1 min before the window: outside, though its rollback falls inside.
    const before = await seedDeployment(store, T0 - MIN, { version: 'before', commitAt: T0 - HOUR })
    await seedDeployment(store, T0 + 10 * MIN, { kind: 'rollback', version: 'older', replaces: before.id })
    // Exactly at the start: inside. Lead 1 h.
    const edge = await seedDeployment(store, T0, { version: 'edge', commitAt: T0 - HOUR })
    // 1 h before the end (lead 2 h): inside. Its hotfix comes exactly at the end, outside the
    // window (which excludes its end), yet makes it a failure, recovered in 1 h.
    await seedDeployment(store, window.to - HOUR, { version: 'last', commitAt: window.to - 3 * HOUR })
    await seedDeployment(store, window.to, { version: 'after', branch: 'hotfix/last' })
    const [m] = (await computeDora(store, { window })).pipelines
    expect(m!.deployments).toBe(2)
    // Leads 1 h and 2 h → median 1.5 h.
    expect(m!.leadTime).toMatchObject({ medianMs: 1.5 * HOUR, samples: 2 })
    expect(m!.changeFailureRate).toMatchObject({ failed: 1, total: 2, rate: 0.5 })
    expect(m!.changeFailureRate.failures.map((f) => [f.version, f.reasons])).toEqual([['last', ['hotfix']]])
    expect(m!.recoveryTime).toMatchObject({ medianMs: HOUR, samples: 1 })
    // edge is the first deployment after \`before\` failed, 1 min later: rework (judged by history
    // before the window). The hotfix is rework too, but outside the window.
    expect(m!.reworkRate).toMatchObject({ rework: 1, total: 2, deploymentIds: [edge.id] })
  })

  it('keeps pipelines apart and leaves a failure unrecovered while nothing good followed it', async () => {
    const store = createMemoryStore()
    await seedDeployment(store, T0 + HOUR, { pipeline: 'api', version: 'a1' })
    // web's only deployment failed verification, and nothing followed it.
    await seedDeployment(store, T0 + 2 * HOUR, { pipeline: 'web', version: 'w1', stageStatus: 'failed' })
    const report = await computeDora(store, { window })
    expect(report.pipelines.map((p) => [p.pipeline, p.deployments, p.changeFailureRate.failed])).toEqual([['api', 1, 0], ['web', 1, 1]])
    // Recovery is the environment's health, whichever pipeline restores it; api's deployment came
    // before web's failure, so web stays unrecovered.
    expect(report.pipelines[1]!.recoveryTime).toMatchObject({ samples: 0, unrecovered: 1 })
    expect(report.pipelines[1]!.recoveryTime.band).toBeUndefined()
  })
})
