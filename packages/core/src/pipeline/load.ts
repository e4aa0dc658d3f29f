import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, dirname, join, resolve } from 'node:path'
import { PipewrightError } from '@pipewright/plugin-api'
import { decodePipelineText } from './utf8.js'
import { findPipelineFile, PIPELINE_FILE_NAMES } from './find-file.js'
import { parsePipelineYaml } from './yaml-source.js'

/** Where a path of the pipeline input was written, for `file:line:column` in problems. */
export interface SourceLocator {
  locate(path: Array<string | number>): { line: number; column: number } | undefined
  /** Where character `offset` of the string at `path` was written, when that can be known. */
  locateText?(path: Array<string | number>, offset: number): { line: number; column: number } | undefined
}

/** File names looked for in a directory, in order of preference. */
function notFound(file: string, why: string): PipewrightError {
  return new PipewrightError('PW_ERR_PIPELINE_NOT_FOUND', `No pipeline at ${file}: ${why}`, {
    details: `Pass the file with -f, or create one of ${PIPELINE_FILE_NAMES.join(', ')} (\`pipewright init\` writes a starter pipewright.yml).`,
  })
}

/**
 * `import { definePipeline } from '@pipewright/core'` in a project that does not install the
 * package itself (it runs the CLI, which has it) resolves to the engine reading the file.
 */
function coreAlias(dir: string): Record<string, string> {
  try {
    createRequire(join(dir, 'pipewright.config.js')).resolve('@pipewright/core')
    return {}
  } catch {
    try {
      return { '@pipewright/core': createRequire(import.meta.url).resolve('@pipewright/core') }
    } catch {
      return {}
    }
  }
}

async function importPipeline(file: string): Promise<unknown> {
  // jiti loads only for TypeScript pipelines. A fresh instance without caches, so a pipeline
  // edited while a server runs is re-read.
  const { createJiti } = await import('jiti')
  const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false, interopDefault: false, alias: coreAlias(dirname(file)) })
  let mod: Record<string, unknown>
  try {
    mod = await jiti.import<Record<string, unknown>>(file)
  } catch (error) {
    throw new PipewrightError('PW_ERR_CONFIG_INVALID', `${file} could not be loaded: ${(error as Error).message.split('\n')[0]}`, {
      details: `Fix the error in ${basename(file)}; it must default-export the pipeline (or export it as \`pipeline\`), e.g. \`export default definePipeline({ ... })\`.`,
      cause: error,
    })
  }
  const pipeline = mod.default ?? mod.pipeline
  if (pipeline === undefined) {
    throw new PipewrightError('PW_ERR_CONFIG_INVALID', `${file} exports no pipeline`, {
      details: `Default-export the pipeline from ${basename(file)} (or export it as \`pipeline\`), e.g. \`export default definePipeline({ ... })\`.`,
    })
  }
  return pipeline
}

/**
 * Reads a pipeline file: YAML (with a locator for line:column in problems), or TS/JS through
 * jiti (default export or `pipeline` export). A directory is searched with findPipelineFile.
 * Nothing is validated here; see validatePipeline.
 */
export async function readPipelineFile(file: string): Promise<{ input: unknown; file: string; dir: string; locator?: SourceLocator }> {
  let path = resolve(file)
  if (!existsSync(path)) throw notFound(path, 'the file does not exist')
  if (statSync(path).isDirectory()) {
    const found = findPipelineFile(path)
    if (!found) throw notFound(path, `the directory has none of ${PIPELINE_FILE_NAMES.join(', ')}`)
    path = found
  }
  const dir = dirname(path)
  if (/\.ya?ml$/i.test(path)) {
    const { input, locator } = parsePipelineYaml(decodePipelineText(await readFile(path), path), path)
    return { input, file: path, dir, locator }
  }
  if (/\.(c|m)?[jt]s$/i.test(path)) {
    decodePipelineText(await readFile(path), path)
    return { input: await importPipeline(path), file: path, dir }
  }
  throw new PipewrightError('PW_ERR_CONFIG_INVALID', `${path} is not a pipeline file: unsupported extension`, {
    details: `Use a .yml, .yaml, .ts, .mts, .mjs or .js file; given a directory, Pipewright looks for ${PIPELINE_FILE_NAMES.join(', ')}.`,
  })
}
