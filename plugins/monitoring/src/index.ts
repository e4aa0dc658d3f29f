import { monitoringPlugin } from './plugin.js'

export default monitoringPlugin
export { monitoringPlugin }
export { HttpMonitorConfig } from './http/config.js'
export { startHttpMonitor } from './http/monitor.js'
export { probeHttp, statusExpected } from './http/probe.js'
export { PrometheusMonitorConfig } from './prometheus/config.js'
export type { ScrapeValue, Threshold } from './prometheus/config.js'
export { startPrometheusMonitor } from './prometheus/monitor.js'
export { parseExposition, parseSampleValue } from './prometheus/exposition.js'
export type { Series } from './prometheus/exposition.js'
export { formatSelector, matchesLabels, parseSelector } from './prometheus/selector.js'
export type { LabelMatcher, SeriesSelector } from './prometheus/selector.js'
export { judge } from './prometheus/verdict.js'
export type { Reading } from './prometheus/verdict.js'
export { sampleEvery } from './sampling.js'
export type { Observation, SamplingOptions } from './sampling.js'
