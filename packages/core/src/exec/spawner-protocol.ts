import type { SplitPattern } from './line-reader.js'
import type { SpawnResult } from './process.js'

/** A command to start, as it crosses to the spawner (everything but the callbacks). */
export interface SpawnRequest {
  t: 'spawn'
  id: number
  command: string | string[]
  cwd: string
  env: Record<string, string>
  timeoutMs?: number
  input?: string
  capture?: boolean
  split?: SplitPattern
}

export type ToSpawner = SpawnRequest | { t: 'abort'; id: number }

export type FromSpawner =
  | { t: 'lines'; id: number; stream: 'stdout' | 'stderr'; lines: string[] }
  | { t: 'done'; id: number; result: SpawnResult }
  | { t: 'ready' }
