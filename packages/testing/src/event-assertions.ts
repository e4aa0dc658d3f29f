import { AssertionError } from 'node:assert'
import { isDeepStrictEqual } from 'node:util'
import type { EventName, PipewrightEvents } from '@pipewright/plugin-api'
import type { PipelineRun } from './run-pipeline.js'

/** A partial payload: listed keys must match (objects recursively, strings also by RegExp); others are ignored. */
export type PayloadMatcher<T> = T extends string
  ? string | RegExp
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]?: PayloadMatcher<T[K]> }
      : T

function matchesPartial(actual: unknown, expected: unknown): boolean {
  if (expected instanceof RegExp) return typeof actual === 'string' && expected.test(actual)
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    if (!actual || typeof actual !== 'object') return false
    return Object.entries(expected).every(([key, value]) => matchesPartial((actual as Record<string, unknown>)[key], value))
  }
  return isDeepStrictEqual(actual, expected)
}

/**
 * The payload of the first `name` event of the run that matches `partial` (every event of that name
 * when `partial` is omitted). Throws an `AssertionError` listing the payloads of that name that were
 * seen, or the event names of the run if there were none.
 */
export function expectEvent<K extends EventName>(run: PipelineRun, name: K, partial?: PayloadMatcher<PipewrightEvents[K]>): PipewrightEvents[K] {
  const payloads = run.eventsOf(name)
  const found = payloads.find((payload) => partial === undefined || matchesPartial(payload, partial))
  if (found !== undefined) return found
  const seen = payloads.length > 0
    ? `its ${name} events were:\n    ${payloads.map((p) => JSON.stringify(p)).join('\n    ')}`
    : `it emitted no ${name} event; its events were: ${[...new Set(run.events.map((e) => e.type))].join(', ') || '(none)'}`
  throw new AssertionError({
    message: `run ${run.result.id} has no ${name} event${partial === undefined ? '' : ` matching ${describe(partial)}`}; ${seen}`,
    actual: payloads,
    expected: partial,
    operator: 'expectEvent',
  })
}

/** Counterpart of `expectEvent`: throws if any `name` event matches `partial` (or any exists when omitted). */
export function expectNoEvent<K extends EventName>(run: PipelineRun, name: K, partial?: PayloadMatcher<PipewrightEvents[K]>): void {
  const found = run.eventsOf(name).find((payload) => partial === undefined || matchesPartial(payload, partial))
  if (found === undefined) return
  throw new AssertionError({ message: `run ${run.result.id} emitted ${name} ${JSON.stringify(found)}`, actual: found, expected: undefined, operator: 'expectNoEvent' })
}

function describe(partial: unknown): string {
  return JSON.stringify(partial, (_key, value: unknown) => (value instanceof RegExp ? String(value) : value))
}
