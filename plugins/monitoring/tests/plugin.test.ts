import { isPlugin } from '@pipewright/plugin-api'
import { inspectPlugin } from '@pipewright/testing'
import { describe, expect, it } from 'vitest'
import monitoring, { HttpMonitorConfig, ProcessMonitorConfig, PrometheusMonitorConfig } from '../src/index.js'

describe('the monitoring plugin', () => {
  it('is a plugin for api version 1 and registers monitoring/http, monitoring/prometheus and monitoring/process with their schemas', async () => {
    expect(isPlugin(monitoring)).toBe(true)
    expect(monitoring).toMatchObject({ id: 'monitoring', apiVersion: 1 })
    const inspected = await inspectPlugin(monitoring)
    expect(Object.keys(inspected.monitors)).toEqual(['http', 'prometheus', 'process'])
    expect(inspected.monitors.http!.configSchema).toBe(HttpMonitorConfig)
    expect(inspected.monitors.prometheus!.configSchema).toBe(PrometheusMonitorConfig)
    expect(inspected.monitors.process!.configSchema).toBe(ProcessMonitorConfig)
    expect(Object.keys(inspected.stages)).toEqual([])
  })
})
