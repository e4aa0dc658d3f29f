import type { Logger } from './context.js'
import type { EventSource } from './events.js'
import { createToken } from './tokens.js'

/** Time source; the testing kit swaps in a fake clock. */
export interface Clock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** Services the engine registers in every plugin's container. */
export const CLOCK = createToken<Clock>('clock')
export const EVENTS = createToken<EventSource>('events')
export const LOGGER = createToken<Logger>('logger')
export const PLUGIN_CONFIG = createToken<unknown>('plugin-config')

/** An environment's instances as the deployer (the deployment agent) sees them now. */
export interface EnvironmentInstances {
  name: string
  /** `serving`, `degraded`, `down`, `empty`, `stopped` … as the deployer says. */
  state: string
  version?: string
  instances: Array<{ id: string; version: string; state: string; healthy?: boolean; restarts?: number; lastExit?: string }>
}

/** Reads deployed environments' live state: what `monitoring/process` watches. */
export interface EnvironmentsService {
  /** Undefined when the deployer cannot tell (no agent running, or an unknown environment). */
  instances(environment: string): Promise<EnvironmentInstances | undefined>
}

/** Registered by the engine when a deployer is: environments' instances, through it. */
export const ENVIRONMENTS = createToken<EnvironmentsService>('environments')
