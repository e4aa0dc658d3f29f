import { PipewrightError, type MonitorContext, type MonitorHandle, type MonitorSample } from '@pipewright/plugin-api'
import { callPlugin } from '../plugins/host.js'
import { resolveConfig } from './resolve-config.js'
import { createStageContext } from './stage-context.js'
import type { StageRun } from './stage-run.js'

/**
 * Starts a monitor for a stage on behalf of a lifecycle hook. Samples pass through to the hook as
 * the monitor yields them, each emitted as `monitor:sample` (reason redacted) on the way.
 */
export async function startMonitor(stage: StageRun, uses: string, rawConfig: unknown, options: { name?: string; environment?: string; source?: 'verify' | 'analysis' | 'watch' } = {}): Promise<MonitorHandle> {
  const { session } = stage
  const type = session.input.host.monitors.get(uses)
  if (!type) {
    const known = [...session.input.host.monitors.keys()]
    throw new PipewrightError('PW_ERR_PLUGIN_NOT_FOUND', `Monitor type ${uses} is not provided by any loaded plugin`, {
      details: known.length > 0 ? `Loaded monitor types: ${known.join(', ')}.` : 'Load a plugin that provides monitors (e.g. @pipewright/plugin-monitoring).',
    })
  }
  const config = resolveConfig(type.definition.configSchema, rawConfig, stage.expr, `monitor ${uses}`)
  const owner = { id: type.pluginId, resolver: session.input.host.resolverFor(type.pluginId), config: type.pluginConfig }
  const base = createStageContext(session, stage, owner)
  const ctx: MonitorContext = {
    runId: base.runId,
    pipeline: base.pipeline,
    git: base.git,
    logger: base.logger,
    signal: base.signal,
    pluginConfig: base.pluginConfig,
    resolve: base.resolve,
    emit: base.emit,
    redact: base.redact,
    stageId: stage.stageId,
  }
  const handle = await callPlugin(type.pluginId, `monitor ${uses}`, () => type.definition.start(ctx, config))
  const samples = handle.samples
  return {
    samples: {
      async *[Symbol.asyncIterator]() {
        for await (const sample of samples as AsyncIterable<MonitorSample>) {
          const reason = sample.reason === undefined ? undefined : session.redact(sample.reason)
          session.emit('monitor:sample', { stageId: stage.stageId, monitor: options.name ?? uses, healthy: sample.healthy, values: sample.values, ...(reason !== undefined ? { reason } : {}), ...(options.environment ? { environment: options.environment } : {}), ...(options.source ? { source: options.source } : {}) })
          yield reason === undefined ? sample : { ...sample, reason }
        }
      },
    },
    stop: () => callPlugin(type.pluginId, `monitor ${uses} stop`, () => handle.stop()),
  }
}
