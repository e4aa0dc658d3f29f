import { isPlugin } from '@pipewright/plugin-api'
import { inspectPlugin } from '@pipewright/testing'
import { describe, expect, it } from 'vitest'
import monitoring, { HttpMonitorConfig, PrometheusMonitorConfig } from '../src/index.js'

describe('the monitoring plugin', () => {
  it('is a plugin for api version 1 and registers monitoring/http and monitoring/prometheus with their schemas', async () => {
    expect(isPlugin(monitoring)).toBe(true)
    expect(monitoring).toMatchObject({ id: 'monitoring', apiVersion: 1 })
    const inspected = await inspectPlugin(monitoring)
    expect(Object.keys(inspected.monitors)).toEqual(['http', 'prometheus'])
    expect(inspected.monitors.http!.configSchema).toBe(HttpMonitorConfig)
    expect(inspected.monitors.prometheus!.configSchema).toBe(PrometheusMonitorConfig)
    expect(Object.keys(inspected.stages)).toEqual([])
  })
})
