import type { ExpressionContext } from '../expr/index.js'
import { interpolateDeep } from '../kernel/resolve-config.js'
import type { AnalysisSpec, EnvironmentSpec, StrategyInput } from '../pipeline/environment-schema.js'
import type { EnvironmentRequest, StrategyRequest } from './deployer.js'

/** An environment of the pipeline as the deployer receives it: expressions resolved, durations in ms. */
export function environmentRequest(name: string, spec: EnvironmentSpec, ctx: ExpressionContext): EnvironmentRequest {
  const health = spec.health
  return {
    name,
    url: String(interpolateDeep(spec.url, ctx)),
    target: { uses: spec.target.uses, with: (interpolateDeep(spec.target.with ?? {}, ctx) as Record<string, unknown>) ?? {} },
    instances: spec.instances,
    health: {
      path: health?.path ?? '/healthz',
      ...(health?.['expect-status'] ? { expectStatus: health['expect-status'] } : {}),
      ...(health?.timeout !== undefined ? { timeoutMs: health.timeout } : {}),
      ...(health?.interval !== undefined ? { intervalMs: health.interval } : {}),
      ...(health?.['startup-timeout'] !== undefined ? { startupTimeoutMs: health['startup-timeout'] } : {}),
    },
    env: Object.fromEntries(Object.entries((interpolateDeep(spec.env ?? {}, ctx) as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)])),
  }
}

/** Canary without options: these steps and pause. */
export const DEFAULT_CANARY = { steps: [10, 50, 100], pauseMs: 30_000 }

/** The analysis between a canary's steps, when its strategy has one. */
export function canaryAnalysisOf(input: StrategyInput | undefined): AnalysisSpec | undefined {
  return input !== undefined && typeof input === 'object' && 'canary' in input ? input.canary.analysis : undefined
}

/** A strategy as written (`blue-green`, `{ canary: { steps, pause } }`) as the deployer receives it. */
export function normalizeStrategy(input: StrategyInput | undefined): StrategyRequest {
  if (input === undefined) return { kind: 'rolling' }
  if (typeof input === 'string') return input === 'canary' ? { kind: 'canary', ...DEFAULT_CANARY } : { kind: input }
  // With an analysis, the analysis decides how long a step lasts; a pause is only a least.
  if ('canary' in input) return { kind: 'canary', steps: input.canary.steps, pauseMs: input.canary.pause ?? (input.canary.analysis ? 0 : DEFAULT_CANARY.pauseMs) }
  if ('blue-green' in input) return { kind: 'blue-green', ...(input['blue-green']?.['keep-previous'] !== undefined ? { keepPreviousMs: input['blue-green']['keep-previous'] } : {}) }
  return 'recreate' in input ? { kind: 'recreate' } : { kind: 'rolling' }
}

/** How a strategy is named in records and logs: `canary 10/50/100`. */
export function strategyName(strategy: StrategyRequest): string {
  return strategy.kind === 'canary' ? `canary ${strategy.steps.join('/')}` : strategy.kind
}
