import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { EventName, PipewrightEvents } from '@pipewright/plugin-api'
import { createEngine } from '../../src/engine/engine.js'
import type { Engine, EngineOptions, RunOptions, RunResult } from '../../src/engine/types.js'

export interface TempProject {
  dir: string
  file: string
  cleanup(): Promise<void>
}

/** Writes a pipeline (YAML text) and extra files into a fresh temp dir. */
export async function tempProject(yaml: string, files: Record<string, string> = {}): Promise<TempProject> {
  const dir = await mkdtemp(join(tmpdir(), 'pw-engine-'))
  const file = join(dir, 'pipewright.yml')
  await writeFile(file, yaml)
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return { dir, file, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

export interface Recorded {
  result: RunResult
  events: Array<{ type: EventName; payload: unknown }>
  /** Payloads of one event type, in order. */
  of<K extends EventName>(type: K): Array<PipewrightEvents[K]>
  logs: (stageId: string) => string[]
  stage: (id: string) => RunResult['stages'][number]
}

/** Runs a pipeline file on a fresh engine and records every event (plugins' own too). */
export async function runFile(file: string, runOptions: RunOptions = {}, engineOptions: EngineOptions = {}, engine: Engine = createEngine(engineOptions)): Promise<Recorded> {
  const events: Recorded['events'] = []
  const listeners = [engine.onAny((type, payload) => events.push({ type, payload }))]
  try {
    const handle = await engine.run(file, runOptions)
    const result = await handle.result
    return {
      result,
      events,
      of: <K extends EventName>(type: K) => events.filter((e) => e.type === type).map((e) => e.payload as PipewrightEvents[K]),
      logs: (stageId) => events.filter((e) => e.type === 'stage:log' && (e.payload as PipewrightEvents['stage:log']).stageId === stageId).map((e) => (e.payload as PipewrightEvents['stage:log']).line),
      stage: (id) => {
        const s = result.stages.find((x) => x.id === id)
        if (!s) throw new Error(`no stage ${id} in result: ${result.stages.map((x) => x.id).join(', ')}`)
        return s
      },
    }
  } finally {
    for (const off of listeners) off()
  }
}

/** True while a process runs (zombies, which nobody reaped in a container, count as dead). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}
