import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { PipewrightError, definePlugin, z, type Plugin } from '@pipewright/plugin-api'
import type { UsesRegistry } from '../../src/pipeline/validate.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A fresh temp dir with the given files, removed after the test. */
export function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pw-spec-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

/**
 * A registry built the way the engine builds one: from real plugin definitions registered
 * through definePlugin's register(api), not from hand-written lookup results.
 */
export function registryOf(...plugins: Plugin[]): UsesRegistry {
  const stages = new Map<string, { configSchema?: z.ZodType }>()
  const gates = new Map<string, { configSchema?: z.ZodType }>()
  const notifiers = new Map<string, { configSchema?: z.ZodType }>()
  for (const plugin of plugins) {
    const api = {
      stage: (name: string, def: { configSchema?: z.ZodType }) => stages.set(`${plugin.id}/${name}`, def),
      gate: (name: string, def: { configSchema?: z.ZodType }) => gates.set(`${plugin.id}/${name}`, def),
      monitor: () => undefined,
      notifier: (name: string, def: { configSchema?: z.ZodType }) => notifiers.set(`${plugin.id}/${name}`, def),
      provide: () => undefined,
      hooks: () => undefined,
    }
    ;(plugin as unknown as { register(api: unknown): void }).register(api)
  }
  return {
    stage: (uses) => stages.get(uses),
    gate: (uses) => gates.get(uses),
    stageTypes: () => [...stages.keys()],
    notifier: (uses) => notifiers.get(uses),
    gateTypes: () => [...gates.keys()],
    notifierTypes: () => [...notifiers.keys()],
  }
}

export { PipewrightError, definePlugin, z }
