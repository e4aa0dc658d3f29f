import { describe, expect, it } from 'vitest'
import { ProcessMonitorConfig } from './config.js'
import { judgeInstances } from './monitor.js'

const config = ProcessMonitorConfig.parse({ environment: 'staging' })
const instance = (id: string, state: string, restarts = 0, lastExit?: string) => ({ id, version: '1.0.0', state, restarts, ...(lastExit ? { lastExit } : {}) })

describe('monitoring/process judging instances', () => {
  it('is healthy while every instance runs, counting restarts from its first look', () => {
    const baseline = new Map<string, number>()
    const first = judgeInstances({ name: 'staging', state: 'serving', version: '1.0.0', instances: [instance('a', 'running', 4), instance('b', 'running')] }, config, baseline)
    expect(first).toEqual({ healthy: true, values: { running: 2, instances: 2, restarts: 0, failed: 0 }, reason: 'environment staging: 2/2 running, 0 restart(s), state serving, version 1.0.0' })
    const restarted = judgeInstances({ name: 'staging', state: 'serving', instances: [instance('a', 'running', 5), instance('b', 'running')] }, config, baseline)
    expect(restarted).toMatchObject({ healthy: false, values: { restarts: 1 }, reason: expect.stringContaining('restarted 1 time(s) since monitoring began (max 0)') })
    expect(judgeInstances({ name: 'staging', state: 'serving', instances: [instance('a', 'running', 5), instance('b', 'running')] }, { ...config, 'max-restarts': 1 }, baseline).healthy).toBe(true)
  })

  it('is unhealthy for a failed instance (the agent gave up), too few running, or no agent', () => {
    const failed = judgeInstances({ name: 'staging', state: 'degraded', instances: [instance('a', 'running'), instance('b', 'failed', 3, 'gave up after 3 restart(s)')] }, config, new Map())
    expect(failed).toEqual({ healthy: false, values: { running: 1, instances: 2, restarts: 0, failed: 1 }, reason: 'environment staging has 1 of 2 instance(s) running; b failed (gave up after 3 restart(s)) — 1/2 running, 0 restart(s), state degraded' })
    expect(judgeInstances({ name: 'staging', state: 'degraded', instances: [instance('a', 'running'), instance('b', 'restarting')] }, { ...config, 'min-running': 1 }, new Map()).healthy).toBe(true)
    expect(judgeInstances(undefined, config, new Map())).toMatchObject({ healthy: false, reason: 'environment staging is not served by the deployment agent (no agent running, or never deployed)' })
    expect(judgeInstances({ name: 'staging', state: 'empty', instances: [] }, config, new Map())).toMatchObject({ healthy: false, reason: expect.stringContaining('has no instances') })
  })
})
