import type { LifecycleHooks, SerializedError, StageHookContext } from '@pipewright/plugin-api'
import type { PluginHost } from '../plugins/host.js'
import { callPlugin } from '../plugins/host.js'
import type { KernelHook, PluginHookEntry } from './hook-chain.js'
import { startMonitor } from './monitors.js'
import { createStageContext } from './stage-context.js'
import type { StageRun, StepResult } from './stage-run.js'

/** The context a plugin's lifecycle hook gets for a stage. */
function hookContext(stage: StageRun, entry: PluginHookEntry, host: PluginHost, pluginConfig: unknown): StageHookContext {
  const base = createStageContext(stage.session, stage, { id: entry.pluginId, resolver: host.resolverFor(entry.pluginId), config: pluginConfig })
  return Object.assign(base, {
    stage: { id: stage.stageId, baseId: stage.node.stageId, needs: stage.node.needs, spec: stage.spec as Readonly<Record<string, unknown>> },
    waitingSince: stage.waitingSince,
    monitors: { start: (uses: string, config?: unknown) => startMonitor(stage, uses, config) },
  })
}

function failure(pluginId: string, fail: string | SerializedError): SerializedError {
  return typeof fail === 'string' ? { code: 'PW_ERR_STAGE_FAILED', message: fail, plugin: pluginId } : { ...fail, plugin: fail.plugin ?? pluginId }
}

/** Adapts a plugin's `LifecycleHooks` to the kernel's provider shape; every call names the plugin in errors. */
export function pluginKernelHook(entry: PluginHookEntry, host: PluginHost, pluginConfig: unknown): KernelHook {
  const h: LifecycleHooks<any> = entry.hooks
  const id = entry.pluginId
  const call = <T>(hook: string, fn: () => T | Promise<T>) => callPlugin(id, `hook ${hook}`, fn)
  const hook: KernelHook = { name: `plugin:${id}` }
  if (h.prepare) {
    const prepare = h.prepare
    hook.prepare = async (stage): Promise<StepResult> => {
      const r = await call('prepare', () => prepare(hookContext(stage, entry, host, pluginConfig)))
      if (!r) return
      if ('wait' in r) return { wait: r.wait }
      if ('skip' in r) {
        stage.log(`skipped by plugin ${id}: ${r.skip}`)
        return { finish: { status: 'skipped' } }
      }
      return { finish: { status: 'failed', error: failure(id, r.fail) } }
    }
  }
  if (h.afterAttempt) {
    const afterAttempt = h.afterAttempt
    hook.afterAttempt = async (stage, outcome) => {
      const r = await call('afterAttempt', () => afterAttempt(hookContext(stage, entry, host, pluginConfig), { ...outcome }))
      return r ? { outcome: r.outcome } : undefined
    }
  }
  if (h.verify) {
    const verify = h.verify
    hook.verify = async (stage): Promise<StepResult> => {
      const r = await call('verify', () => verify(hookContext(stage, entry, host, pluginConfig)))
      if (!r) return
      if ('wait' in r) return { wait: r.wait }
      return { fail: failure(id, r.fail) }
    }
  }
  if (h.afterStage) {
    const afterStage = h.afterStage
    hook.afterStage = async (stage, outcome) => {
      const r = await call('afterStage', () => afterStage(hookContext(stage, entry, host, pluginConfig), { ...outcome }))
      return r?.outcome
    }
  }
  if (h.runFinished) {
    const runFinished = h.runFinished
    hook.runFinished = async (session, summary) => {
      const ctx = {
        runId: session.runId,
        pipeline: session.input.pipeline,
        git: session.input.git,
        logger: host.loggerOf(id),
        signal: session.signal,
        pluginConfig,
        resolve: host.resolverFor(id).resolve,
        emit: session.emit.bind(session),
        redact: session.redact,
      }
      await call('runFinished', () => runFinished(ctx as never, summary))
    }
  }
  return hook
}
