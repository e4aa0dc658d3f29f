import { describe, expect, it } from 'vitest'
import { DeployRequest, EnvironmentSpec, strategySchema } from './protocol.js'

describe('protocol', () => {
  it('normalizes strategies as pipelines write them', () => {
    expect(strategySchema.parse('blue-green')).toEqual({ kind: 'blue-green', keepPreviousMs: 0 })
    expect(strategySchema.parse({ 'blue-green': { 'keep-previous': '5m' } })).toEqual({ kind: 'blue-green', keepPreviousMs: 300_000 })
    expect(strategySchema.parse({ canary: { steps: [10, 50, 100], pause: '30s' } })).toEqual({ kind: 'canary', steps: [10, 50, 100], pauseMs: 30_000, awaitVerdicts: false })
    expect(strategySchema.parse({ kind: 'canary', steps: [10], pauseMs: 0, awaitVerdicts: true })).toEqual({ kind: 'canary', steps: [10], pauseMs: 0, awaitVerdicts: true })
    expect(strategySchema.parse({ kind: 'rolling' })).toEqual({ kind: 'rolling' })
    expect(strategySchema.safeParse({ canary: { steps: [50, 10] } }).error?.issues[0]?.message).toBe('Steps must increase')
    expect(strategySchema.safeParse('yolo').success).toBe(false)
  })

  it('fills environment defaults and refuses urls other than 127.0.0.1', () => {
    const spec = EnvironmentSpec.parse({ name: 'staging', url: 'http://127.0.0.1:8101', target: { uses: 'deploy/process' } })
    expect(spec).toMatchObject({ instances: 1, health: { path: '/healthz', timeoutMs: 2_000, startupTimeoutMs: 60_000 }, supervise: { maxRestarts: 5, windowMs: 600_000 }, target: { with: {} }, drainTimeoutMs: 30_000 })
    const bad = EnvironmentSpec.safeParse({ name: 'Prod', url: 'http://0.0.0.0:80', target: { uses: 'process' } })
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['name', 'target.uses', 'url'])
  })

  it('needs exactly one of an artifact directory and an image', () => {
    const base = { environment: { name: 'e', url: 'http://127.0.0.1:9000', target: { uses: 'deploy/process' } }, version: '1' }
    expect(DeployRequest.safeParse({ ...base, source: {} }).success).toBe(false)
    expect(DeployRequest.safeParse({ ...base, source: { directory: 'dist' } }).success).toBe(false)
    expect(DeployRequest.parse({ ...base, source: { directory: '/abs/dist' } }).strategy).toEqual({ kind: 'rolling' })
  })
})
