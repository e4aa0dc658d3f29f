import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'

/** The names a pipeline file may have, in the order they are looked for. */
export const PIPELINE_FILE_NAMES = ['pipewright.yml', 'pipewright.yaml', 'pipewright.config.ts', 'pipewright.config.mts', 'pipewright.config.mjs', 'pipewright.config.js'] as const

/** Finds pipewright.yml | pipewright.yaml | pipewright.config.ts | .mts | .mjs | .js in dir, or undefined. */
export function findPipelineFile(dir: string): string | undefined {
  for (const name of PIPELINE_FILE_NAMES) {
    const candidate = resolve(dir, name)
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  return undefined
}

