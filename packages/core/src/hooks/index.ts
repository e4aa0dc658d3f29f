import type { BuiltinHooks } from '../kernel/hook-chain.js'
import { analysisHook } from './analysis.js'
import { artifactsHook } from './artifacts.js'
import { cacheHook } from './cache.js'
import { deployHook } from './deploy.js'
import { deployVerifyHook } from './deploy-verify.js'
import { gatesHook } from './gates.js'
import { retryHook } from './retry.js'

/**
 * The engine's own lifecycle providers and their places: the cache lookup first in `prepare`, then
 * a deploy's protection rules and environment lock; the deploy itself as the attempt;
 * artifacts, a deploy's verification (automatic rollback), gates, then the stage's analysis first in `verify`; the retry policy last in `afterAttempt`; the cache save
 * last in `afterStage`, just after the deploy gives its lock back. Plugins' hooks go around them (see `HookChain`).
 */
export function builtinHooks(): BuiltinHooks {
  return {
    early: { prepare: [cacheHook, deployHook], attempt: [deployHook], verify: [artifactsHook, deployVerifyHook, gatesHook, analysisHook] },
    late: { afterAttempt: [retryHook], afterStage: [deployVerifyHook, analysisHook, deployHook, cacheHook] },
  }
}
