import type { GateContext, GateResult } from '@pipewright/plugin-api'
import type { MaxLatencyConfig, PluginConfig } from './config.js'
import { describeFailure, displayUrl, request } from './request.js'

/** `http-check/max-latency`: passes when every sample answers 2xx within `max`. */
export async function maxLatency(ctx: GateContext<PluginConfig>, config: MaxLatencyConfig): Promise<GateResult> {
  const url = config.url ?? ctx.stage.outputs.url
  if (!url) {
    return { verdict: 'fail', reason: `No URL to measure: set \`url\` in the gate's \`with:\`, or gate a stage that outputs \`url\` (http-check/probe)` }
  }
  const where = displayUrl(url)
  const headers = { ...ctx.pluginConfig?.headers, ...config.headers }
  const samples: Array<{ status: number; latencyMs: number }> = []
  for (let i = 0; i < config.samples; i++) {
    try {
      const answer = await request(url, { method: 'GET', headers, timeoutMs: Math.max(config.max * 2, 1_000), signal: ctx.signal })
      samples.push({ status: answer.status, latencyMs: answer.latencyMs })
      if (answer.status < 200 || answer.status > 299) {
        return { verdict: 'fail', reason: `GET ${where} answered ${answer.status}`, evidence: { url: where, max: config.max, samples } }
      }
    } catch (error) {
      return { verdict: 'fail', reason: `GET ${where} failed: ${describeFailure(error)}`, evidence: { url: where, max: config.max, samples } }
    }
  }
  const worst = Math.max(...samples.map((s) => s.latencyMs))
  const evidence = { url: where, max: config.max, worst, samples }
  return worst <= config.max
    ? { verdict: 'pass', reason: `Slowest of ${samples.length} requests to ${where} took ${worst} ms (limit ${config.max} ms)`, evidence }
    : { verdict: 'fail', reason: `A request to ${where} took ${worst} ms, over the ${config.max} ms limit`, evidence }
}
