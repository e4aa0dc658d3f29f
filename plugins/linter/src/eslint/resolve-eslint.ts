import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'

export interface ResolvedEslint {
  /** Absolute path of eslint's CLI script, run with the current node. */
  bin: string
  version: string
}

const require = createRequire(import.meta.url)

/**
 * Finds the eslint the project itself installed, walking up `node_modules` from the workspace,
 * so the project's version and its plugins are what runs — never a copy bundled with Pipewright.
 */
export function resolveEslint(workspace: string): ResolvedEslint {
  let manifestPath: string
  try {
    manifestPath = require.resolve('eslint/package.json', { paths: [workspace] })
  } catch (error) {
    throw new PipewrightError('PW_ERR_STAGE_FAILED', `linter/eslint: eslint is not installed in ${workspace} or any parent directory`, {
      details: 'Add eslint to the project (npm install --save-dev eslint) so the stage runs the version the project pins.',
      cause: error,
    })
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: string; bin?: string | Record<string, string> }
  const binEntry = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.eslint
  if (!binEntry) {
    throw new PipewrightError('PW_ERR_STAGE_FAILED', `linter/eslint: ${manifestPath} declares no eslint binary`, {
      details: 'Reinstall eslint in the project; its package.json should have a "bin" entry.',
    })
  }
  return { bin: path.resolve(path.dirname(manifestPath), binEntry), version: manifest.version ?? 'unknown' }
}
