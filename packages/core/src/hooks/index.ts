import type { BuiltinHooks } from '../kernel/hook-chain.js'
import { artifactsHook } from './artifacts.js'
import { cacheHook } from './cache.js'
import { gatesHook } from './gates.js'
import { retryHook } from './retry.js'

/**
 * The engine's own lifecycle providers and their places: the cache lookup first in `prepare`;
 * artifacts then gates first in `verify`; the retry policy last in `afterAttempt`; the cache save
 * last in `afterStage`. Plugins' hooks go around them (see `HookChain`).
 */
export function builtinHooks(): BuiltinHooks {
  return {
    early: { prepare: [cacheHook], verify: [artifactsHook, gatesHook] },
    late: { afterAttempt: [retryHook], afterStage: [cacheHook] },
  }
}
