import { afterEach, describe, expect, it } from 'vitest'
import { PROMETHEUS_MISSING, requirePrometheus, startPrometheus } from './helpers/prometheus.js'

// The real-Prometheus tests must fail, not skip, on a machine without it — saying what to run.
describe('the Prometheus test bring-up', () => {
  const path = process.env.PATH
  afterEach(() => { process.env.PATH = path })

  it('fails with the install command when the prometheus binary is missing', async () => {
    process.env.PATH = '/nonexistent'
    expect(() => requirePrometheus()).toThrow(PROMETHEUS_MISSING)
    await expect(startPrometheus(['127.0.0.1:1'])).rejects.toThrow('bash tools/services/up.sh')
  })

  it('finds it when it is installed', () => {
    expect(() => requirePrometheus()).not.toThrow()
  })
})
