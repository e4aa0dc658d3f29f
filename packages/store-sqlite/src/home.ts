import { join, resolve } from 'node:path'

export interface ResolveHomeOptions {
  /** `--home DIR` from the command line: wins over everything. */
  home?: string
  /** Environment to read `PIPEWRIGHT_HOME` from (default `process.env`). */
  env?: Record<string, string | undefined>
  /** Directory of the pipeline file: the home defaults to `<pipelineDir>/.pipewright`. */
  pipelineDir: string
}

/**
 * Where Pipewright keeps its store: `--home DIR` > `PIPEWRIGHT_HOME` > `<pipelineDir>/.pipewright`.
 * Empty values count as unset; relative paths resolve against the current directory.
 */
export function resolveHome(options: ResolveHomeOptions): string {
  const env = options.env ?? process.env
  const chosen = nonEmpty(options.home) ?? nonEmpty(env.PIPEWRIGHT_HOME)
  return chosen === undefined ? resolve(options.pipelineDir, '.pipewright') : resolve(chosen)
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

/** File name of the database inside the home directory. */
export const DATABASE_FILE = 'pipewright.db'

export function databasePath(dir: string): string {
  return join(dir, DATABASE_FILE)
}
