import { CLOCK, PipewrightError, type StageContext } from '@pipewright/plugin-api'
import type { PluginConfig, ProbeConfig } from './config.js'
import { describeFailure, displayUrl, request } from './request.js'

/** `http-check/probe`: waits until the endpoint answers with an expected status (and text). */
export async function probe(ctx: StageContext<PluginConfig>, config: ProbeConfig): Promise<void> {
  const clock = ctx.resolve(CLOCK)
  const where = displayUrl(config.url)
  const headers = { ...ctx.pluginConfig?.headers, ...config.headers }
  const started = clock.now()
  for (let attempt = 1; ; attempt++) {
    let problem: string
    try {
      const answer = await request(config.url, { method: config.method, headers, timeoutMs: config.requestTimeout, signal: ctx.signal })
      const statusOk = config.expectStatus.includes(answer.status)
      const textOk = config.contains === undefined || answer.body.includes(config.contains)
      if (statusOk && textOk) {
        ctx.outputs.set('status', answer.status)
        ctx.outputs.set('latencyMs', answer.latencyMs)
        ctx.outputs.set('attempts', attempt)
        ctx.outputs.set('url', config.url)
        ctx.summary(`${config.method} ${where} → ${answer.status} in ${answer.latencyMs} ms (attempt ${attempt})`)
        return
      }
      problem = statusOk ? `answered ${answer.status} without "${config.contains}" in the body` : `answered ${answer.status}, expected ${config.expectStatus.join(' or ')}`
    } catch (error) {
      if (ctx.signal.aborted) throw error
      problem = `failed: ${describeFailure(error)}`
    }
    const elapsed = clock.now() - started
    ctx.logger.info(`attempt ${attempt}: ${config.method} ${where} ${problem}`)
    if (elapsed + config.interval > config.timeout) {
      throw new PipewrightError('PW_ERR_STAGE_FAILED', `Stage ${ctx.stageId} (http-check/probe): ${config.method} ${where} ${problem} after ${attempt} attempt(s) in ${elapsed} ms`, {
        details: 'Check that the service is up and reachable from this machine, or raise `timeout:` in the stage\'s `with:`.',
      })
    }
    await clock.sleep(config.interval, ctx.signal)
  }
}
