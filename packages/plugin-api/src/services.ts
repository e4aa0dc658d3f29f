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
