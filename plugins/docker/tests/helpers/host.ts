import type { GateContext, Plugin, StageContext } from '@pipewright/plugin-api'
import { inspectPlugin, type InspectedPlugin } from '@pipewright/testing'

export type LoadedTestPlugin = InspectedPlugin

/** Registers the plugin as the host does (config validated, services built once on first use). */
export const loadTestPlugin = (plugin: Plugin, config: Record<string, unknown> = {}): Promise<LoadedTestPlugin> => inspectPlugin(plugin, { config })

const named = <T>(table: Record<string, T>, plugin: LoadedTestPlugin, type: string): T => {
  const found = table[type.slice(plugin.id.length + 1)]
  if (!found) throw new Error(`${type} is not registered by ${plugin.id}`)
  return found
}

/** Validates `with` against the stage's schema (as the engine does) and runs `docker/<type>` on `ctx`. */
export async function runStage(plugin: LoadedTestPlugin, type: string, ctx: StageContext<any>, config: unknown): Promise<void> {
  const stage = named(plugin.stages, plugin, type)
  await stage.run(ctx, stage.configSchema ? stage.configSchema.parse(config) : config)
}

/** Validates `with` against the gate's schema and evaluates `docker/<type>` on `ctx`. */
export async function evaluateGate(plugin: LoadedTestPlugin, type: string, ctx: GateContext<any>, config: unknown) {
  const gate = named(plugin.gates, plugin, type)
  return gate.evaluate(ctx, gate.configSchema ? gate.configSchema.parse(config) : config)
}
