import type { GateDefinition, PluginApi, StageDefinition } from '@pipewright/plugin-api'
import plugin from '../../src/index.js'

/**
 * The stages and gates the plugin registers, collected by calling its `register` with a
 * recording PluginApi (what the engine's plugin host does), so unit tests call them directly.
 */
export function registered(): { stages: Map<string, StageDefinition<any>>; gates: Map<string, GateDefinition<any>> } {
  const stages = new Map<string, StageDefinition<any>>()
  const gates = new Map<string, GateDefinition<any>>()
  const noop = () => {}
  const api: PluginApi = {
    id: plugin.id,
    config: undefined,
    logger: { debug: noop, info: noop, warn: noop, error: noop },
    stage: (name, def) => void stages.set(name, def as StageDefinition<any>),
    gate: (name, def) => void gates.set(name, def as GateDefinition<any>),
    monitor: noop,
    notifier: noop,
    provide: noop,
  }
  void plugin.register(api as never)
  return { stages, gates }
}
